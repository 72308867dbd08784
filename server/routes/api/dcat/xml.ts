// A tiny XML tree writer: elements are built as objects and escaped once, when rendered.

interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  text: string | null;
  children: XmlNode[];
}

// Characters XML 1.0 cannot carry at all are dropped; markup characters are escaped.
// eslint-disable-next-line no-control-regex -- the control characters are what is matched
const INVALID = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const escapeText = (s: string) => s.replace(INVALID, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');

/** Builds and renders an XML document. */
export class XMLBuilder {
  element(name: string, attrs: Record<string, string> = {}, text: string | null = null, children: XmlNode[] = []): XmlNode {
    return { name, attrs, text, children };
  }

  private render(n: XmlNode, indent: string): string {
    const attrs = Object.entries(n.attrs).map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('');
    if (n.children.length) {
      return `${indent}<${n.name}${attrs}>\n${n.children.map((c) => this.render(c, `${indent}  `)).join('\n')}\n${indent}</${n.name}>`;
    }
    if (n.text === null) return `${indent}<${n.name}${attrs}/>`;
    return `${indent}<${n.name}${attrs}>${escapeText(n.text)}</${n.name}>`;
  }

  /** The whole document, with its XML declaration. */
  document(root: XmlNode): string {
    return `<?xml version="1.0" encoding="utf-8"?>\n${this.render(root, '')}\n`;
  }
}
