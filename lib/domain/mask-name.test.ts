import { describe, expect, it } from 'vitest';
import { maskName } from './mask-name';

describe('masking a recipient name', () => {
  it('shows the first initial and the first letter of the last name', () => {
    expect(maskName('Ada Lovelace')).toBe('A. L*******');
    expect(maskName('  Grace   Brewster Hopper ')).toBe('G. H*****');
  });

  it('masks a single name after its first letter, never showing it whole', () => {
    expect(maskName('Plato')).toBe('P****');
    expect(maskName('X')).toBe('X*');
  });

  it('counts characters, not UTF-16 units', () => {
    expect(maskName('Émile Zoë')).toBe('É. Z**');
  });

  it('has something to show for a blank name', () => {
    expect(maskName('   ')).toBe('*');
  });
});
