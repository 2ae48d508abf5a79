import { describe, expect, it } from 'vitest';
import { formText } from './form-text';

describe('formText', () => {
  it('is the field as submitted, or empty when it is missing or a file', () => {
    const form = new FormData();
    form.set('amount', ' 12.34 ');
    form.set('upload', new Blob(['x']), 'x.txt');
    expect(formText(form, 'amount')).toBe(' 12.34 ');
    expect(formText(form, 'missing')).toBe('');
    expect(formText(form, 'upload')).toBe('');
  });
});
