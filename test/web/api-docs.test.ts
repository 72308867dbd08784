import { parseDocument, DomUtils } from 'htmlparser2';
import request from 'supertest';
import { OPERATIONS } from '../../server/routes/api/contract';
import { testWorld } from '../support/world';

// /api/docs is generated from the OpenAPI document: every operation, parameter and schema, each
// described in the reader's language under the language switch.

const t = testWorld();

async function page(lang: 'id' | 'en') {
  const res = await request(t.app).get('/api/docs').set('Cookie', `lang=${lang}`).expect(200);
  const dom = parseDocument(res.text);
  const text = (id: string) => {
    const el = DomUtils.findOne((e) => e.attribs?.id === id, dom.children);
    return el ? DomUtils.textContent(el).replace(/\s+/g, ' ') : null;
  };
  return { html: res.text, text };
}

describe('/api/docs', () => {
  it('shows every operation with its parameters and answers in Bahasa Indonesia', async () => {
    const { text } = await page('id');
    for (const op of OPERATIONS) {
      const id = `${op.method}${op.path.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`;
      const section = text(id);
      expect([id, section?.includes(op.summary.id)]).toEqual([id, true]);
      expect(section).not.toContain(op.summary.en);
      for (const status of Object.keys(op.responses)) expect(section).toContain(status);
    }
    const rows = text('getDatasetsSlugRows')!;
    expect(rows).toContain('Kolom dipisah koma; awali dengan - untuk menurun.');
    expect(rows).toContain('filter[…]');
    expect(text('schema-Dataset')).toContain('Metadata indikator (MS-Ind).');
    expect(text('schema-Dataset')).toContain('Dataset dengan metadatanya.');
  });

  it('shows the same in English', async () => {
    const { text, html } = await page('en');
    expect(html).toContain('<html lang="en"');
    for (const op of OPERATIONS) {
      const id = `${op.method}${op.path.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`;
      expect(text(id)).toContain(op.summary.en);
    }
    expect(text('getDatasetsSlugRows')).toContain('Comma-separated columns; prefix with - for descending.');
    expect(text('schema-Dataset')).toContain('Indicator metadata (MS-Ind).');
    expect(text('schema-Dataset')).not.toContain('Metadata indikator');
  });
});
