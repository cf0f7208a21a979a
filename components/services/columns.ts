// Column layout shared by the header and every virtualized row (CSS grid, fixed widths except the
// first, so nothing shifts as numbers change).

export const GRID_COLUMNS =
  'minmax(18rem,1fr) 3.25rem 5.75rem 5.5rem 4.5rem 4.5rem 4.25rem 6.5rem 9.25rem 10rem 6rem';

/** The table's minimum width: below it, the table scrolls sideways instead of squeezing. */
export const MIN_TABLE_WIDTH = '77.5rem';

export const SERVICE_ROW_HEIGHT = 40;
export const REAL_SERVER_ROW_HEIGHT = 32;
export const HEADER_HEIGHT = 34;

export interface ColumnDef {
  id: string;
  label: string;
  /** Longer explanation for the header's tooltip. */
  title?: string;
  numeric?: boolean;
}

export const COLUMNS: readonly ColumnDef[] = [
  { id: 'name', label: 'Service / real server' },
  { id: 'forward', label: 'Fwd', title: 'Forwarding method: NAT (Masq), DR (Route), TUN (Tunnel)' },
  { id: 'weight', label: 'Weight', title: 'Weight on the active director; the configured weight follows when it differs', numeric: true },
  { id: 'health', label: 'Health', title: "keepalived's view: up, drained (weight 0), down (checker failed)" },
  { id: 'active', label: 'Active', title: 'ActiveConn on the active director', numeric: true },
  { id: 'inactive', label: 'Inactive', title: 'InActConn on the active director', numeric: true },
  { id: 'persistent', label: 'Persist', title: 'PersistConn (persistence templates) on the active director', numeric: true },
  { id: 'cps', label: 'Conn/s', title: 'New connections per second; sparkline: last 5 minutes', numeric: true },
  { id: 'pps', label: 'Packets/s in·out', title: 'Packets per second in / out; sparkline: total, last 5 minutes', numeric: true },
  { id: 'bps', label: 'Bytes/s in·out', title: 'Bytes per second in / out; sparkline: total, last 5 minutes', numeric: true },
  { id: 'directors', label: 'Directors', title: 'Which director the figures come from, and a ≠ marker when directors disagree' },
];
