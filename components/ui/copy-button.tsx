'use client';

import { useEffect, useState } from 'react';

// "Copy" beside a command or a fix: puts the exact text on the clipboard and says so (visibly and
// to screen readers). The asynchronous Clipboard API needs a secure context (HTTPS or loopback);
// elsewhere the old select-and-copy is used.

async function writeClipboard(text: string): Promise<void> {
  if (typeof navigator !== 'undefined' && navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  try {
    if (!document.execCommand('copy')) throw new Error('the browser refused to copy');
  } finally {
    area.remove();
  }
}

export function CopyButton({ text, label, className = '' }: { text: string; /** What is copied, for the accessible name ("commands for dir1"). */ label: string; className?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <button
      type="button"
      onClick={() => {
        writeClipboard(text).then(
          () => setState('copied'),
          () => setState('failed'),
        );
      }}
      aria-label={`Copy ${label}`}
      data-testid="copy-button"
      data-copied={state === 'copied'}
      className={`rounded border border-line-strong bg-surface px-1.5 py-0.5 text-[11px] leading-4 font-medium text-muted hover:bg-hover hover:text-ink ${className}`}
    >
      <span aria-live="polite">{state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed: select the text' : 'Copy'}</span>
    </button>
  );
}
