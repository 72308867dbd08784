"""What Python users do with the portal, with Debian's pandas and rdflib (test/api/python-clients.test.ts).

Usage: python3 python-clients.py BASE SLUG CODE_COLUMN. Prints one JSON object of what it read.
"""
import io
import json
import sys
import urllib.request

import pandas as pd
import rdflib

base, slug, code = sys.argv[1], sys.argv[2], sys.argv[3]
out = {}

# pandas.read_csv straight from the download URL, codes kept as text.
df = pd.read_csv(f'{base}/dataset/{slug}/download.csv', dtype={code: 'string'})
out['csv'] = {'columns': list(df.columns), 'rows': len(df), 'codes': df[code].tolist(), 'dtypes': {c: str(t) for c, t in df.dtypes.items()}}

# The Excel-friendly CSV: BOM, ';' and decimal comma.
dx = pd.read_csv(f'{base}/dataset/{slug}/download.csv?dialect=excel', sep=';', decimal=',', encoding='utf-8-sig', dtype={code: 'string'})
out['excel'] = {'columns': list(dx.columns), 'codes': dx[code].tolist()}

# The JSON download and the rows API.
with urllib.request.urlopen(f'{base}/api/v1/datasets/{slug}/rows?limit=1000') as r:
    rows = json.load(r)
out['api_rows'] = len(pd.DataFrame(rows['data']))

# rdflib: the catalog and the dataset in Turtle, JSON-LD and RDF/XML.
DCAT = rdflib.Namespace('http://www.w3.org/ns/dcat#')
DCT = rdflib.Namespace('http://purl.org/dc/terms/')
cat = rdflib.Graph().parse(f'{base}/catalog.ttl', format='turtle')
out['catalog'] = {'datasets': len(list(cat.objects(None, DCAT.dataset))), 'triples': len(cat)}
ds = rdflib.URIRef(f'{base}/dataset/{slug}')
for fmt, ext in (('turtle', 'ttl'), ('json-ld', 'jsonld'), ('xml', 'rdf')):
    g = rdflib.Graph().parse(f'{base}/dataset/{slug}.{ext}', format=fmt)
    out[ext] = {
        'triples': len(g),
        'titles': sorted(str(t) for t in g.objects(ds, DCT.title)),
        'downloads': sorted(str(u) for d in g.objects(ds, DCAT.distribution) for u in g.objects(d, DCAT.downloadURL)),
    }
print(json.dumps(out))
