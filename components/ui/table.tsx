import type { ReactNode, TdHTMLAttributes, ThHTMLAttributes, HTMLAttributes } from 'react';

// Real <table> semantics for the small tables (instances, host memberships). The big services
// table is virtualized with ARIA table roles instead (components/services/services-table.tsx).

export function Table({
  children,
  caption,
  className = '',
  focusableScroll = false,
  ...rest
}: {
  children: ReactNode;
  caption?: ReactNode;
  className?: string;
  /** A wide table (long cells): its scroll area takes the keyboard focus, so it can be scrolled without a mouse. */
  focusableScroll?: boolean;
} & Pick<HTMLAttributes<HTMLTableElement>, 'aria-label' | 'aria-labelledby'> & { 'data-testid'?: string }) {
  return (
    <div className="overflow-x-auto" {...(focusableScroll ? { tabIndex: 0, role: 'region', 'aria-label': rest['aria-label'] ?? 'table' } : {})}>
      <table className={`w-full border-collapse text-sm ${className}`} {...rest}>
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        {children}
      </table>
    </div>
  );
}

export function Th({ children, className = '', numeric, ...rest }: ThHTMLAttributes<HTMLTableCellElement> & { numeric?: boolean }) {
  return (
    <th
      scope="col"
      className={`border-b border-line bg-sunken px-3 py-1.5 text-xs font-medium whitespace-nowrap text-muted ${numeric ? 'text-right' : 'text-left'} ${className}`}
      {...rest}
    >
      {children}
    </th>
  );
}

export function Td({ children, className = '', numeric, ...rest }: TdHTMLAttributes<HTMLTableCellElement> & { numeric?: boolean }) {
  return (
    <td
      className={`border-b border-line px-3 py-1.5 align-middle ${numeric ? 'text-right tabular-nums' : ''} ${className}`}
      {...rest}
    >
      {children}
    </td>
  );
}

export function Tr({ children, className = '', ...rest }: HTMLAttributes<HTMLTableRowElement> & { [key: `data-${string}`]: string | number | undefined }) {
  return (
    <tr className={`hover:bg-hover ${className}`} {...rest}>
      {children}
    </tr>
  );
}
