// Validates Turtle (stdin) against SHACL shapes files (arguments) with shacl-engine, an ESM-only
// package, hence this separate Node process. Prints {conforms, results:[{focus,path,shape,message,severity}]}.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import N3 from 'n3';
import { Validator } from 'shacl-engine';

const factory = { ...N3.DataFactory, dataset: (quads) => new N3.Store(quads ?? []) };
const parse = (text) => new N3.Store(new N3.Parser().parse(text));

const shapes = new N3.Store();
for (const file of process.argv.slice(2)) shapes.addQuads(parse(readFileSync(file, 'utf8')).getQuads());
const data = parse(readFileSync(0, 'utf8'));
const validator = new Validator(shapes, { factory });
const report = await validator.validate({ dataset: data });
const term = (t) => (t ? t.value : null);
process.stdout.write(JSON.stringify({
  conforms: report.conforms,
  results: report.results.map((r) => ({
    focus: term(r.focusNode?.term),
    path: r.path?.map?.((p) => p.predicates?.map(term).join('|')).join('/') ?? null,
    shape: term(r.shape?.ptr?.term),
    constraint: term(r.constraintComponent?.term),
    severity: term(r.severity?.term),
    message: (r.message ?? []).map(term).join(' '),
    value: term(r.value?.term),
  })),
}));
