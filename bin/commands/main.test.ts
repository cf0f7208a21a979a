import { afterEach, describe, expect, it, vi } from 'vitest';
import { runAudit } from './audit';
import { runBackup } from './backup';
import { wantsHelp } from './command';
import { COMMANDS, main } from './main';
import { runToken } from './token';
import { runUser } from './user';
import { captureIo } from './testing/capture-io';

// Every command and subcommand in lvsctl's table answers -h and --help with its usage on stdout and
// exit 0, without running (issue 15: `lvsctl restore --help`, `weight --help`, `audit verify --help`
// failed with "Unknown option '--help'", exit 2). A command added to the table is walked here too.

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

afterEach(() => vi.restoreAllMocks());

/** "lvsctl token create" in a usage: a lower-case word after the command name is a verb. */
function verbsIn(name: string, usage: string): string[] {
  return [...usage.matchAll(new RegExp(`lvsctl ${name} ([a-z][a-z-]*)\\b`, 'g'))].map((m) => m[1] ?? '');
}

describe('lvsctl help, the same for every command', () => {
  const cases = COMMANDS.flatMap((c) => [
    { argv: [c.name], shows: `lvsctl ${c.name}`, cmd: c },
    ...(c.subcommands ?? []).map((s) => ({ argv: [c.name, s.name], shows: `lvsctl ${c.name} ${s.name}`, cmd: c })),
  ]);

  it.each(cases.flatMap((k) => ['-h', '--help'].map((flag) => ({ ...k, argv: [...k.argv, flag], label: [...k.argv, flag].join(' ') }))))(
    'lvsctl $label: usage on stdout, exit 0, the command not run',
    async ({ argv, shows, cmd }) => {
      const spy = vi.spyOn(cmd, 'run');
      const r = await run(argv);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toMatch(/^usage:/);
      expect(r.out).toContain(shows);
      expect(spy).not.toHaveBeenCalled();
    },
  );

  it.each(cases.map((k) => ({ ...k, label: k.argv.join(' ') })))('lvsctl help $label prints the same usage as --help', async ({ argv }) => {
    const viaHelp = await run(['help', ...argv]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.out).toBe((await run([...argv, '--help'])).out);
  });

  it.each(COMMANDS.map((c) => ({ name: c.name, c })))('$name: every verb its usage names is in the table, with its own usage', ({ name, c }) => {
    const verbs = [...new Set(verbsIn(name, c.usage))];
    expect((c.subcommands ?? []).map((s) => s.name).sort()).toEqual(verbs.sort());
    for (const s of c.subcommands ?? []) expect(s.usage).toContain(`lvsctl ${name} ${s.name}`);
  });

  it('a subcommand shows its own usage, not its siblings', async () => {
    const r = await run(['audit', 'verify', '--help']);
    expect(r.out).toContain('lvsctl audit verify');
    expect(r.out).not.toContain('lvsctl audit list');
    const t = await run(['token', 'create', '--name', 'list', '-h']);
    expect(t.out).toMatch(/^usage: lvsctl token create /);
    expect(t.out).toContain('--expires days');
  });

  it('help is looked for before `--` only', () => {
    expect(wantsHelp(['--cluster', 'lab', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['--', '--help'])).toBe(false);
    expect(wantsHelp(['--reason=--help'])).toBe(false);
  });

  it('no command, or an unknown one, is still a usage error', async () => {
    expect((await run([])).code).toBe(2);
    const r = await run(['frobnicate', '--help']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command "frobnicate"/);
  });
});

describe('unknown options: a usage error (exit 2, with the usage) in every command', () => {
  const io = captureIo;

  it.each([
    ['audit', runAudit, ['verify', '--bogus']],
    ['token', runToken, ['list', '--bogus']],
    ['user', runUser, ['list', '--bogus']],
    ['backup', runBackup, ['/tmp/x', '--bogus']],
  ] as const)('%s', async (name, runner, argv) => {
    const o = io();
    expect(await runner([...argv], o)).toBe(2);
    expect(o.stderr).toBe(`lvsctl ${name}: Unknown option '--bogus'\n\n${COMMANDS.find((c) => c.name === name)?.usage ?? '?'}\n`);
  });
});
