import { describe, expect, it } from 'vitest';
import { passkeyHostProblem } from './passkey-host';

describe('whether passkeys can work at the address the settings page is open at', () => {
  it('not at an IP address, nor at a host other than the relying party; at localhost and the configured domain they can', () => {
    expect(passkeyHostProblem('127.0.0.1:3000', 'localhost')).toMatch(/IP address 127\.0\.0\.1/);
    expect(passkeyHostProblem('[::1]:3000', 'localhost')).toMatch(/IP address \[::1\]/);
    expect(passkeyHostProblem('other.example', 'bank.example')).toMatch(/registered for bank\.example/);
    expect(passkeyHostProblem('localhost:3000', 'localhost')).toBeNull();
    expect(passkeyHostProblem('bank.example', 'bank.example')).toBeNull();
    expect(passkeyHostProblem(null, 'localhost')).toBeNull();
  });
});
