/** A form field as text: '' when it is missing or a file (server actions read FormData with it). */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}
