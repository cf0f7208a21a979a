import 'server-only';
import { builder, defineCommand, fixedCommand, type CatalogueCommand } from './command';
import { keepalivedSignalKind, trackFileName, trackPath, trackValue, type KeepalivedSignalKind } from './validators';

// keepalived: ask it to dump its state, check its config, find its process, and write the
// FILE_CHECK track files the console uses to hold drains across keepalived flaps.

export const KEEPALIVED_PID_FILE = '/run/keepalived.pid';

/**
 * Signals by dump kind. keepalived defines SIGJSON as SIGRTMIN+2 in every 2.x release;
 * `keepalived --signum=JSON` prints 36 on Debian 12 (2.2.7). 36 is right on every glibc
 * system (glibc's SIGRTMIN has been 34 since NPTL); a musl build (Alpine) would need 37,
 * where pkill's name "RTMIN+2" would be right. We send 36 because the directors' sudoers
 * (lab/guest/etc/sudoers.d/lvs-console) allows exactly `--signal (USR1|USR2|36)`.
 */
export const KEEPALIVED_SIGNALS: Record<KeepalivedSignalKind, string> = {
  data: 'USR1',
  stats: 'USR2',
  json: '36',
};

/** Where each dump lands (keepalived's compiled-in defaults). */
export const KEEPALIVED_DUMP_FILES: Record<KeepalivedSignalKind, string> = {
  data: '/tmp/keepalived.data',
  stats: '/tmp/keepalived.stats',
  json: '/tmp/keepalived.json',
};

/** `pkill --signal USR1|USR2|36 -F /run/keepalived.pid`: ask keepalived to write a dump file. */
export const keepalivedSignal = builder('keepalivedSignal', (kind: KeepalivedSignalKind): CatalogueCommand => {
  const k = keepalivedSignalKind('kind', kind);
  return defineCommand({
    name: 'keepalivedSignal',
    argv: ['pkill', '--signal', KEEPALIVED_SIGNALS[k], '-F', KEEPALIVED_PID_FILE],
    sudo: true,
    description: `Ask keepalived to write ${KEEPALIVED_DUMP_FILES[k]}`,
  });
});

/** `keepalived -t`: check the configuration without touching the running daemon. */
export const keepalivedConfigTest = fixedCommand('keepalivedConfigTest', {
  argv: ['keepalived', '-t'],
  sudo: true,
  description: 'Check keepalived.conf syntax (keepalived --config-test)',
});

/** `pidof keepalived` (exit 1 = not running, which is an answer, not a failure). */
export const pidofKeepalived = fixedCommand('pidofKeepalived', {
  argv: ['pidof', 'keepalived'],
  sudo: false,
  description: 'Find keepalived processes',
  okExitCodes: [0, 1],
});

/** `tee /var/lib/lvs-console/track/NAME` with "VALUE\n" on stdin: set a FILE_CHECK track file. */
export const writeTrackFile = builder('writeTrackFile', (name: string, value: number): CatalogueCommand => {
  const n = trackFileName('name', name);
  const v = trackValue('value', value);
  return defineCommand({
    name: 'writeTrackFile',
    argv: ['tee', trackPath(n)],
    sudo: false,
    stdin: `${v}\n`,
    description: `Write ${v} to track file ${n}`,
  });
});
