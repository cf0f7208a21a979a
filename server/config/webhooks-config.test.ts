import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from './load';

// Webhook URLs in the configuration: http(s) only, env:NAME resolved at start-up, and no error
// message ever quotes the URL (it carries the secret).

const base = `
clusters:
  - name: lab
    directors:
      - name: dir1
        host: 127.0.0.1
        user: lvsconsole
        privateKeyPath: /k
        hostKey: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
`;
const SECRET = 'T000/B000/XXXXsecretXXXX';

function err(text: string): string {
  try {
    parseConfigText(text, '/etc/lvs/console.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

afterEach(() => {
  delete process.env.LVS_TEST_HOOK;
});

describe('webhooks configuration', () => {
  it('resolves env:NAME and keeps defaults', () => {
    process.env.LVS_TEST_HOOK = `https://hooks.example.com/services/${SECRET}`;
    const c = parseConfigText(`${base}webhooks:\n  - { name: ops, url: "env:LVS_TEST_HOOK", format: slack }\n`, '/c.yaml');
    expect(c.webhooks).toEqual([
      { name: 'ops', url: `https://hooks.example.com/services/${SECRET}`, format: 'slack', events: ['failover', 'split-brain', 'no-master'], attempts: 5, timeoutMs: 5000, auditHead: false },
    ]);
  });

  it('refuses a non-http URL, a missing variable and an environment value that is not a URL, never quoting it', () => {
    expect(err(`${base}webhooks:\n  - { name: ops, url: "ftp://h/${SECRET}" }\n`)).toContain('webhooks[0].url: must be an http:// or https:// URL (not ftp:)');
    expect(err(`${base}webhooks:\n  - { name: ops, url: "env:LVS_TEST_HOOK" }\n`)).toContain('webhooks[0] (ops) url: environment variable LVS_TEST_HOOK is not set');
    process.env.LVS_TEST_HOOK = `gopher://h/${SECRET}`;
    const m = err(`${base}webhooks:\n  - { name: ops, url: "env:LVS_TEST_HOOK" }\n`);
    expect(m).toContain('webhooks[0].url: must be an http:// or https:// URL (not gopher:) (webhook ops)');
    for (const msg of [m, err(`${base}webhooks:\n  - { name: ops, url: "ftp://h/${SECRET}" }\n`)]) expect(msg).not.toContain(SECRET);
  });

  it('refuses unknown keys, unknown event kinds and duplicate names', () => {
    expect(err(`${base}webhooks:\n  - { name: ops, url: "https://h/x", secret: 1 }\n`)).toContain('unknown key webhooks[0].secret');
    expect(err(`${base}webhooks:\n  - { name: ops, url: "https://h/x", events: [fail] }\n`)).toContain('webhooks[0].events[0]');
    expect(err(`${base}webhooks:\n  - { name: ops, url: "https://h/x" }\n  - { name: ops, url: "https://h/y" }\n`)).toContain('duplicate webhook name "ops"');
  });
});
