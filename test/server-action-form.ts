// Posting a page's form as a browser without JavaScript does: the server-rendered form's own fields
// (the server action's hidden ones included), some of them replaced. Shared by the tests that drive
// server actions over plain HTTP and by the request-path benchmark.

/** The fields of the form labelled `label` in a server-rendered page (hidden action fields included). */
export function formFields(html: string, label: string): [string, string][] {
  const form = new RegExp(`<form[^>]*aria-label="${label}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1];
  if (!form) throw new Error(`no form "${label}" in the page`);
  const decode = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#x27;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  return [...form.matchAll(/<input\b[^>]*>/g)].flatMap(([input]) => {
    const name = /\bname="([^"]*)"/.exec(input)?.[1];
    return name === undefined
      ? []
      : [[decode(name), decode(/\bvalue="([^"]*)"/.exec(input)?.[1] ?? '')] as [string, string]];
  });
}

/**
 * Loads `pageUrl` with `cookie`, then posts its form `form` with `values` over the page's own fields,
 * from `origin`. The form's key (`commandId`), the answer and its body.
 */
export async function postPageForm(
  pageUrl: string,
  form: string,
  values: Record<string, string>,
  { cookie, origin }: { cookie: string; origin: string },
): Promise<{ key: string | undefined; fields: [string, string][]; response: Response; html: string }> {
  const page = await fetch(pageUrl, { headers: { cookie } });
  if (page.status !== 200) throw new Error(`GET ${pageUrl}: ${page.status}`);
  const fields = formFields(await page.text(), form);
  const body = new FormData();
  for (const [name, value] of fields) body.append(name, name in values ? values[name]! : value);
  for (const [name, value] of Object.entries(values))
    if (!fields.some(([field]) => field === name)) body.append(name, value);
  const response = await fetch(pageUrl, { method: 'POST', headers: { cookie, origin }, body });
  return { key: fields.find(([name]) => name === 'commandId')?.[1], fields, response, html: await response.text() };
}
