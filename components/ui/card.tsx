import type { ReactNode } from 'react';

export function Card({
  children,
  className = '',
  as: Tag = 'div',
  ...rest
}: {
  children: ReactNode;
  className?: string;
  as?: 'div' | 'section' | 'article' | 'li';
  id?: string;
  'aria-labelledby'?: string;
  'aria-label'?: string;
  'data-testid'?: string;
}) {
  return (
    <Tag className={`rounded-lg border border-line bg-surface shadow-xs ${className}`} {...rest}>
      {children}
    </Tag>
  );
}

/** A section with a real heading, so every panel is reachable by heading navigation. */
export function Section({
  id,
  title,
  level = 2,
  actions,
  description,
  children,
  className = '',
}: {
  id: string;
  title: ReactNode;
  level?: 2 | 3;
  actions?: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  const Heading = level === 2 ? 'h2' : 'h3';
  const headingId = `${id}-heading`;
  return (
    <section id={id} aria-labelledby={headingId} className={`scroll-mt-16 ${className}`}>
      <div className="mb-2 flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <Heading id={headingId} className={level === 2 ? 'text-base font-semibold' : 'text-sm font-semibold'}>
          {title}
        </Heading>
        {description ? <p className="text-xs text-faint">{description}</p> : null}
        {actions ? <div className="ml-auto flex items-center gap-2">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}
