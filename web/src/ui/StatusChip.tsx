import Chip from '@mui/material/Chip';
import { useApp } from './useStore';

const LABELS = { connecting: 'Connecting…', open: 'Registering…', registered: 'Connected', reconnecting: 'Reconnecting', closed: 'Disconnected' } as const;

export function StatusChip() {
  const status = useApp((s) => s.status);
  const retry = useApp((s) => s.retryInMs);
  const rtt = useApp((s) => s.wsRttMs);
  const color = status === 'registered' ? 'success' : status === 'reconnecting' || status === 'closed' ? 'error' : 'warning';
  let label: string = LABELS[status];
  if (status === 'reconnecting' && retry) label += ` in ${Math.ceil(retry / 1000)} s`;
  if (status === 'registered' && rtt !== undefined) label += ` · ${rtt} ms`;
  return <Chip size="small" color={color} label={label} data-testid="status" data-status={status} aria-live="polite" />;
}
