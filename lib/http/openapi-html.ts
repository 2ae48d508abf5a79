import 'server-only';
import type { OpenApiDocument } from '@/lib/http/openapi';

// A readable reference of the OpenAPI document, rendered on the server as one HTML page: no
// script, no CDN, works offline and without JavaScript.

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const code = (value: unknown) => `<pre><code>${escape(JSON.stringify(value, null, 2))}</code></pre>`;

type Operation = {
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
};

function schemaName(schema: unknown): string | null {
  const ref = (schema as { $ref?: string; allOf?: { $ref?: string }[] })?.$ref ?? (schema as { allOf?: { $ref?: string }[] })?.allOf?.[0]?.$ref;
  return ref ? ref.split('/').at(-1)! : null;
}

export function renderOpenApiHtml(doc: OpenApiDocument): string {
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods as Record<string, Operation>).map(([method, op]) => ({ path, method, op })),
  );
  const id = (method: string, path: string) => `${method}-${path.replace(/[^a-z0-9]+/gi, '-')}`;
  const toc = operations
    .map(({ path, method, op }) => `<li><a href="#${id(method, path)}"><b>${method.toUpperCase()}</b> ${escape(path)}</a> — ${escape(op.summary ?? '')}</li>`)
    .join('');
  const body = operations
    .map(({ path, method, op }) => {
      const params = (op.parameters ?? [])
        .map((p) => `<li><code>${escape(p.name)}</code> (${p.in}${p.required ? ', required' : ''}) ${escape(p.description ?? '')}</li>`)
        .join('');
      const request = op.requestBody
        ? Object.entries(op.requestBody.content)
            .map(([type, c]) => `<p>Body <code>${type}</code>: <a href="#schema-${schemaName(c.schema)}">${schemaName(c.schema)}</a></p>`)
            .join('')
        : '';
      const responses = Object.entries(op.responses)
        .map(([status, r]) => {
          const content = Object.entries(r.content ?? {})
            .map(([type, c]) => `<code>${type}</code> ${schemaName(c.schema) ? `<a href="#schema-${schemaName(c.schema)}">${schemaName(c.schema)}</a>` : ''}`)
            .join(', ');
          return `<tr><td>${status}</td><td>${escape(r.description)}</td><td>${content}</td></tr>`;
        })
        .join('');
      const auth = op.security && op.security.length === 0 ? 'No authentication.' : 'API key (<code>Authorization: Bearer …</code>).';
      return `<section id="${id(method, path)}"><h2><span class="m">${method.toUpperCase()}</span> ${escape(path)}</h2><p>${escape(op.summary ?? '')}. ${auth}</p>${params ? `<ul>${params}</ul>` : ''}${request}<table><thead><tr><th>Status</th><th>Meaning</th><th>Body</th></tr></thead><tbody>${responses}</tbody></table></section>`;
    })
    .join('');
  const schemas = Object.entries(doc.components.schemas)
    .map(([name, schema]) => `<section id="schema-${name}"><h3>${name}</h3>${code(schema)}</section>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(doc.info.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#111}pre{background:#f4f4f5;padding:.75rem;overflow:auto;font-size:13px}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}.m{font-family:monospace;background:#111;color:#fff;padding:0 .4rem;border-radius:4px}section{margin:2rem 0}a{color:#1d4ed8}</style></head>
<body><main><h1>${escape(doc.info.title)}</h1><p>${escape(doc.info.description ?? '')}</p><p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${doc.openapi}).</p>
<nav aria-label="Operations"><ul>${toc}</ul></nav>${body}<h2>Schemas</h2>${schemas}</main></body></html>`;
}
