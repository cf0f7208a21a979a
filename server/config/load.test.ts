import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, loadConfigFile, parseConfigText } from './load';

const good = `
pollIntervalMs: 1000
clusters:
  - name: lab
    directors:
      - name: dir1
        host: 127.0.0.1
        port: 2201
        user: lvsconsole
        privateKeyPath: keys/id
        hostKey: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
        sudo: true
        keepalivedLog: { file: /var/log/keepalived.log }
`;

function err(text: string): string {
  try {
    parseConfigText(text, '/etc/lvs/console.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('parses a valid file with defaults and resolves paths against the file', () => {
    const c = parseConfigText(good, '/etc/lvs/console.yaml');
    expect(c.pollIntervalMs).toBe(1000);
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(c.stateDir).toBe('/etc/lvs/state');
    expect(c.clusters[0]?.directors[0]).toMatchObject({ privateKeyPath: '/etc/lvs/keys/id', sudo: true, agent: false });
    expect(c.ssh.commandTimeoutMs).toBe(15_000);
  });

  it('names an unknown key', () => {
    expect(err(good.replace('sudo: true', 'sudo: true\n        sudoo: true'))).toContain('unknown key clusters[0].directors[0].sudoo');
    expect(err(`pollInterval: 3\n${good}`)).toContain('unknown key pollInterval');
  });

  it('names a bad value with its path', () => {
    expect(err(good.replace('port: 2201', 'port: 70000'))).toContain('clusters[0].directors[0].port');
    // The capacity floor over 1 (a percentage typed as 60, say), for the console and for a cluster.
    expect(err(`drain: { minServingShare: 60 }\n${good}`)).toContain('drain.minServingShare: a share of the weight from 0 to 1 (0.6 = 60 %)');
    expect(err(good.replace('  - name: lab\n', '  - name: lab\n    drain: { minServingShare: 1.5 }\n'))).toContain('clusters[0].drain.minServingShare: a share of the weight from 0 to 1');
  });

  it('refuses a director without a pinned host key', () => {
    expect(err(good.replace(/ +hostKey: .*\n/, ''))).toContain('clusters[0].directors[0].hostKey: pin the host key');
  });

  it('refuses a malformed fingerprint and duplicate names', () => {
    expect(err(good.replace('SHA256:47DEQ', 'MD5:47DEQ'))).toContain('OpenSSH SHA256 fingerprint');
    const dup = good + good.slice(good.indexOf('  - name: lab')).replace('- name: lab', '- name: lab');
    expect(err(dup.replace('clusters:\n', 'clusters:\n').replace(/^pollIntervalMs: 1000\n/m, ''))).toContain('duplicate cluster name "lab"');
  });

  it('two clusters may each have a director named lb1; each director carries its cluster', () => {
    const two = `clusters:\n${['prod', 'staging']
      .map((c, i) => `  - name: ${c}\n    directors:\n      - { name: lb1, host: 192.0.2.${i + 2}, user: lvsconsole, privateKeyPath: keys/id, hostKey: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU" }\n`)
      .join('')}`;
    const c = parseConfigText(two, '/etc/lvs/console.yaml');
    expect(c.clusters.map((x) => x.directors.map((d) => [d.cluster, d.name, d.host]))).toEqual([[['prod', 'lb1', '192.0.2.2']], [['staging', 'lb1', '192.0.2.3']]]);
    // Within one cluster a name is still unique, and `cluster` is not a key of the file.
    const staging = two.slice(two.indexOf('  - name: staging'));
    const lb1 = staging.slice(staging.indexOf('      - { name: lb1'));
    expect(err(two + lb1)).toContain('clusters[1].directors[1].name: duplicate director name "lb1"');
    expect(err(two.replace('{ name: lb1, host: 192.0.2.2', '{ name: lb1, cluster: staging, host: 192.0.2.2'))).toContain('unknown key clusters[0].directors[0].cluster');
  });

  it('reports YAML syntax errors plainly', () => {
    expect(err('clusters: [')).toContain('not valid YAML');
  });

  describe('real-server hosts take the same path as directors', () => {
    const withRs = `${good}    realServerHosts:
      - name: rs1
        addresses: ["192.0.2.11"]
        host: 127.0.0.1
        user: lvsconsole
        privateKeyPath: keys/rs
        passphrase: env:LVS_TEST_RS_PASSPHRASE
        knownHostsPath: known_hosts
        jumpHost: { host: 192.0.2.1, user: jump, privateKeyPath: keys/jump, knownHostsPath: jump_known_hosts }
`;
    afterEach(() => {
      delete process.env.LVS_TEST_RS_PASSPHRASE;
    });

    it('resolves passphrase: env:NAME and makes key and known_hosts paths absolute (jump host included)', () => {
      process.env.LVS_TEST_RS_PASSPHRASE = 'rs-secret';
      const rs = parseConfigText(withRs, '/etc/lvs/console.yaml').clusters[0]?.realServerHosts[0];
      expect(rs).toMatchObject({
        passphrase: 'rs-secret',
        privateKeyPath: '/etc/lvs/keys/rs',
        knownHostsPath: '/etc/lvs/known_hosts',
        jumpHost: { privateKeyPath: '/etc/lvs/keys/jump', knownHostsPath: '/etc/lvs/jump_known_hosts' },
      });
    });

    it('names an unset passphrase variable of a real-server host', () => {
      expect(err(withRs)).toContain('lab/realServerHosts/rs1 passphrase: environment variable LVS_TEST_RS_PASSPHRASE is not set');
    });

    it("a director's jump host paths are absolute too", () => {
      const d = parseConfigText(good.replace('sudo: true', 'sudo: true\n        jumpHost: { host: 192.0.2.1, user: jump, privateKeyPath: keys/jump }'), '/etc/lvs/console.yaml').clusters[0]?.directors[0];
      expect(d?.jumpHost?.privateKeyPath).toBe('/etc/lvs/keys/jump');
    });
  });
});

// The same valid configuration as objects, to change one thing at a time.
const HOST_KEY = 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU';
const dir = (name: string, over: Record<string, unknown> = {}) => ({ name, host: '127.0.0.1', user: 'lvsconsole', privateKeyPath: '/k', hostKey: HOST_KEY, ...over });
const withCluster = (over: Record<string, unknown> = {}, top: Record<string, unknown> = {}) =>
  stringify({ ...top, clusters: [{ name: 'lab', directors: [dir('dir1'), dir('dir2')], ...over }] });
const hash = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';

describe('configuration: what start-up refuses, named by its key', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('the base of these cases is valid', () => {
    expect(parseConfigText(withCluster(), '/etc/lvs/console.yaml').clusters[0]?.directors.map((d) => d.name)).toEqual(['dir1', 'dir2']);
  });

  it('proxyAuth without trustedProxies (anyone could claim to be anyone)', () => {
    expect(err(withCluster({}, { auth: { proxyAuth: { userHeader: 'x-forwarded-user' } } }))).toContain(
      'auth.proxyAuth: proxyAuth needs trustedProxies: the addresses the proxy connects from',
    );
    const ok = parseConfigText(withCluster({}, { auth: { proxyAuth: {}, trustedProxies: ['127.0.0.1'] } }), '/etc/lvs/console.yaml');
    expect(ok.auth.proxyAuth).toMatchObject({ userHeader: 'x-forwarded-user', defaultRole: 'viewer' });
  });

  it('a director or real-server host with neither privateKeyPath nor agent', () => {
    expect(err(withCluster({ directors: [dir('dir1', { privateKeyPath: undefined })] }))).toContain('clusters[0].directors[0].privateKeyPath: set privateKeyPath or agent: true');
    expect(parseConfigText(withCluster({ directors: [dir('dir1', { privateKeyPath: undefined, agent: true })] }), '/c.yaml').clusters[0]?.directors[0]?.agent).toBe(true);
    const rs = { name: 'rs1', addresses: ['192.0.2.11'], host: '192.0.2.11', user: 'check', hostKey: HOST_KEY };
    expect(err(withCluster({ realServerHosts: [rs] }))).toContain('clusters[0].realServerHosts[0].privateKeyPath: set privateKeyPath or agent: true');
    expect(err(withCluster({ realServerHosts: [{ ...rs, privateKeyPath: '/k', hostKey: undefined }] }))).toContain('clusters[0].realServerHosts[0].hostKey: pin the host key');
  });

  it('duplicate names: directors of a cluster, HAProxy instances, users, webhooks', () => {
    expect(err(withCluster({ directors: [dir('dir1'), dir('dir1', { port: 2202 })] }))).toContain('clusters[0].directors[1].name: duplicate director name "dir1"');
    const h = { name: 'haproxy-1', director: 'dir1' };
    expect(err(withCluster({ haproxy: [h, { ...h, director: 'dir2' }] }))).toContain('clusters[0].haproxy[1].name: duplicate HAProxy instance name "haproxy-1"');
    const user = { name: 'alice', passwordHash: hash, role: 'operator' };
    expect(err(withCluster({}, { auth: { users: [user, { ...user, role: 'viewer' }] } }))).toContain('auth.users[1].name: duplicate user name "alice"');
    const hook = { name: 'ops', url: 'https://hooks.example.org/x' };
    expect(err(withCluster({}, { webhooks: [hook, hook] }))).toContain('webhooks[1].name: duplicate webhook name "ops"');
    // The same director name in two clusters is fine: names are per cluster.
    const two = stringify({ clusters: [{ name: 'a', directors: [dir('dir1')] }, { name: 'b', directors: [dir('dir1')] }] });
    expect(parseConfigText(two, '/c.yaml').clusters.map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('an HAProxy instance on a director the cluster does not have', () => {
    expect(err(withCluster({ haproxy: [{ name: 'haproxy-1', director: 'dir3' }] }))).toContain(
      'clusters[0].haproxy[0].director: HAProxy instance "haproxy-1": no director named "dir3" in cluster "lab"',
    );
  });

  it('every problem is reported at once, each with its key', () => {
    const m = err(withCluster({ directors: [dir('dir1', { privateKeyPath: undefined, port: 0 })], haproxy: [{ name: 'h', director: 'nope' }] }));
    expect(m.split('\n')).toEqual([
      '/etc/lvs/console.yaml: invalid configuration:',
      'clusters[0].directors[0].port: Too small: expected number to be >=1',
      'clusters[0].directors[0].privateKeyPath: set privateKeyPath or agent: true',
      'clusters[0].haproxy[0].director: HAProxy instance "h": no director named "nope" in cluster "lab"',
    ]);
  });

  it('a passphrase from an environment variable that is not set', () => {
    vi.stubEnv('LVS_TEST_PASSPHRASE', undefined);
    expect(() => parseConfigText(withCluster({ directors: [dir('dir1', { passphrase: 'env:LVS_TEST_PASSPHRASE' })] }), '/c.yaml')).toThrow(
      new ConfigError('lab/dir1 passphrase: environment variable LVS_TEST_PASSPHRASE is not set'),
    );
    vi.stubEnv('LVS_TEST_PASSPHRASE', 'sekrit');
    expect(parseConfigText(withCluster({ directors: [dir('dir1', { passphrase: 'env:LVS_TEST_PASSPHRASE' })] }), '/c.yaml').clusters[0]?.directors[0]?.passphrase).toBe('sekrit');
  });

  it('a missing or unreadable configuration file', () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'lvs-config-'));
    try {
      const missing = path.join(tmp, 'nope.yaml');
      expect(() => loadConfigFile(missing)).toThrow(ConfigError);
      expect(() => loadConfigFile(missing)).toThrow(`configuration file ${missing} does not exist (set LVS_CONSOLE_CONFIG, or run "npm run lab:up" to write one for the lab)`);
      expect(() => loadConfigFile(tmp)).toThrow(new RegExp(`^cannot read configuration file ${tmp}: .*EISDIR`));
      // A file that exists is parsed, and its relative paths resolve against it.
      const file = path.join(tmp, 'console.yaml');
      writeFileSync(file, withCluster({ directors: [dir('dir1', { privateKeyPath: 'keys/id' })] }));
      expect(loadConfigFile(file).clusters[0]?.directors[0]?.privateKeyPath).toBe(path.join(tmp, 'keys/id'));
      writeFileSync(file, '');
      expect(() => loadConfigFile(file)).toThrow(/invalid configuration/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
