import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DialogActions, ModalDialog, Refusals } from './dialog-parts';

// The action dialogs' shared parts: a disabled submit names why (its description is the blockers),
// pending says so, and the confirm's colour says what the action does.

const base = {
  label: 'Drain on every director',
  pendingLabel: 'Applying on every director…',
  onCancel: () => {},
  blockersId: 'd1-blockers',
  blockersTestId: 'submit-blockers',
  confirmTestId: 'confirm-action',
} as const;

function submit(html: string): string {
  return /<button type="submit"[^>]*>[^<]*<\/button>/.exec(html)?.[0] ?? '';
}

describe('DialogActions', () => {
  it('blockers disable the submit, are shown, and are its description', () => {
    const html = renderToStaticMarkup(<DialogActions {...base} blockers={['reason required', 'the plan is loading']} blockersPrefix="Not yet: " pending={false} tone="takes-out" />);
    expect(html).toContain('<p id="d1-blockers" class="mr-auto text-xs text-muted" data-testid="submit-blockers">Not yet: reason required; the plan is loading</p>');
    expect(submit(html)).toContain('disabled=""');
    expect(submit(html)).toContain('aria-describedby="d1-blockers"');
    expect(submit(html)).toContain('bg-amber-600');
    expect(submit(html)).toMatch(/>Drain on every director<\/button>$/);
  });

  it('no blockers: enabled, no description, nothing shown beside it', () => {
    const html = renderToStaticMarkup(<DialogActions {...base} blockers={[]} pending={false} tone="normal" />);
    expect(submit(html)).not.toContain('disabled=""');
    expect(submit(html)).not.toContain('aria-describedby');
    expect(submit(html)).toContain('bg-indigo-600');
    expect(html).not.toContain('submit-blockers');
  });

  it('while pending: disabled, says it is applying, blockers hidden', () => {
    const html = renderToStaticMarkup(<DialogActions {...base} blockers={['sending…']} pending tone="destructive" />);
    expect(submit(html)).toContain('disabled=""');
    expect(submit(html)).toContain('bg-red-700');
    expect(submit(html)).toMatch(/>Applying on every director…<\/button>$/);
    expect(html).not.toContain('submit-blockers');
  });
});

describe('Refusals', () => {
  it('lists every refusal and the force box with its statement, checked as given', () => {
    const props = { refusals: ['last serving real server of TCP 192.0.2.100:80', 'another'], onForce: () => {}, forceLabel: 'Force: I know', testId: 'plan-refusals', forceTestId: 'force-checkbox' };
    const off = renderToStaticMarkup(<Refusals {...props} force={false} />);
    expect([...off.matchAll(/<li>(.*?)<\/li>/g)].map((m) => m[1])).toEqual(props.refusals);
    expect(off).toContain('data-testid="plan-refusals"');
    expect(off).toMatch(/<input type="checkbox" data-testid="force-checkbox"\/>Force: I know<\/label>/);
    expect(renderToStaticMarkup(<Refusals {...props} force />)).toMatch(/<input type="checkbox" data-testid="force-checkbox" checked=""\/>/);
  });
});

describe('ModalDialog', () => {
  const props = { ref: null, titleId: 't1', title: <>Drain <span>rs1</span></>, testId: 'drain-dialog', action: 'drain', onBackdrop: () => {} };

  it('a modal dialog labelled by its heading, with the test id and action the e2e specs select on', () => {
    const html = renderToStaticMarkup(
      <ModalDialog {...props}>
        <p>body</p>
      </ModalDialog>,
    );
    expect(html).toMatch(/<div tabindex="-1" role="dialog" aria-modal="true" aria-labelledby="t1" data-testid="drain-dialog" data-action="drain" class="[^"]*border-line"><h2 id="t1" class="text-lg font-semibold">Drain <span>rs1<\/span><\/h2><p>body<\/p><\/div>/);
  });

  it('destructive: a red border', () => {
    const html = renderToStaticMarkup(<ModalDialog {...props} destructive>{null}</ModalDialog>);
    expect(html).toContain('border-red-400');
    expect(html).not.toContain('border-line');
  });
});
