import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ApiError } from '@/lib/api/client';
import { rollout } from '@/components/rollout/fixtures';
import { DrainDialog, type DrainDialogRequest } from './drain-dialog';
import { DEFAULT_RAMP_RESTORE } from './ramp-restore';
import { RampRestoreError, RampRestoreFields, RampRestoreResult } from './ramp-restore-fields';

// The restore dialog's "Bring it back in steps", as the server renders it: offered (unticked) for a
// whole host only, its fields by their labels with the defaults once ticked, the schema's words for
// a bad ramp, the link to the rollout it started and a refusal's reasons.

function render(node: ReactNode): string {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return renderToStaticMarkup(<QueryClientProvider client={qc}>{node}</QueryClientProvider>);
}

const dialog = (request: Omit<DrainDialogRequest, 'cluster'>) => render(<DrainDialog request={{ cluster: 'lab', ...request }} onClose={() => undefined} />);

describe('DrainDialog: bring it back in steps', () => {
  it('offers the box, unticked, when restoring a whole host; the restore stays as it was', () => {
    for (const html of [dialog({ action: 'restore', target: '192.0.2.11' }), dialog({ action: 'restore', target: '192.0.2.11', haproxy: true })]) {
      expect(html).toMatch(/<input type="checkbox" aria-describedby="[^"]+" data-testid="ramp-restore-checkbox"\/>Bring it back in steps<\/label>/);
      expect(html).not.toContain('data-testid="ramp-restore-ramp"');
      expect(html).toContain('Reason (optional)');
      expect(html).toMatch(/data-testid="confirm-action"[^>]*>Restore on every director<\/button>/);
    }
  });

  it.each<[string, Omit<DrainDialogRequest, 'cluster'>]>([
    ['a real server', { action: 'restore', target: '192.0.2.11:80', service: 'TCP 192.0.2.100:80' }],
    ['a real server in every service', { action: 'restore', target: '192.0.2.11:80' }],
    ['a host in one service', { action: 'restore', target: '192.0.2.11', service: 'TCP 192.0.2.100:80' }],
    ['a drain of a host', { action: 'drain', target: '192.0.2.11' }],
    ['a weight of a host', { action: 'weight', target: '192.0.2.11', weight: 5 }],
  ])('does not offer it for %s', (_name, request) => {
    expect(dialog(request)).not.toContain('ramp-restore');
  });
});

describe('RampRestoreFields', () => {
  const fields = (form = { ...DEFAULT_RAMP_RESTORE, on: true }) => render(<RampRestoreFields form={form} onForm={() => undefined} />);

  it('ticked: the ramp and the seconds between steps, labelled, with the defaults', () => {
    const html = fields();
    expect(html).toContain('checked=""');
    expect(html).toMatch(/<label for="([^"]+)" class="font-medium">Ramp \(% of the weight\)<\/label><input id="\1"[^>]*aria-invalid="false"[^>]*value="10,25,50,100"\/>/);
    expect(html).toMatch(/<label for="([^"]+)" class="font-medium">Seconds between steps<\/label><input id="\1"[^>]*value="30"/);
    expect(html).not.toContain('-error"');
  });

  it('a bad ramp: marked invalid, with the RampSteps schema\'s message', () => {
    const html = fields({ on: true, ramp: '50,25,100', stepSeconds: '0' });
    expect(html).toMatch(/aria-invalid="true"[^>]*data-testid="ramp-restore-ramp"/);
    expect(html).toMatch(/data-testid="ramp-restore-ramp-error">ramp steps must go up \(e\.g\. 10,25,50,100\)<\/p>/);
    expect(html).toContain('data-testid="ramp-restore-step-seconds-error">a whole number of seconds from 1 to 3600</p>');
  });
});

describe('RampRestoreResult and RampRestoreError', () => {
  it('says what the server said and links to the rollout', () => {
    const html = render(<RampRestoreResult cluster="lab" result={{ rollout: rollout({ id: '12', kind: 'ramp' }), dryRun: false, message: 'ramp #12 started: 192.0.2.11', batches: [['192.0.2.11']], refusals: [], warnings: [], auditId: null }} />);
    expect(html).toContain('ramp #12 started: 192.0.2.11');
    expect(html).toMatch(/<a [^>]*href="\/clusters\/lab\/rollouts\/12">Follow rollout #12<\/a>/);
  });

  it('a refusal (409) lists its reasons; any other error reads as the dialog shows errors', () => {
    const refused = new ApiError(409, 'conflict', 'refused: 192.0.2.11 holds no drain or weight', { details: { refusals: ['192.0.2.11 holds no drain or weight'] } });
    expect(render(<RampRestoreError error={refused} />)).toMatch(/role="alert".*Refused:.*<li>192\.0\.2\.11 holds no drain or weight<\/li>/);
    expect(render(<RampRestoreError error={new ApiError(422, 'validation', 'reason is required')} />)).toMatch(/role="alert".*<p>reason is required<\/p>/);
  });
});
