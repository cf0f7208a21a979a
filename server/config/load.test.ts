import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from './load';

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
