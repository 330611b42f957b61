import Dialog from '@mui/material/Dialog';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import { useApp } from './useStore';

export function DiagnosticsDialog({ peerId, open, onClose }: { peerId: string; open: boolean; onClose: () => void }) {
  const d = useApp((s) => s.diagnostics[peerId]);
  const ws = useApp((s) => s.wsRttMs);
  const rows: [string, string][] = [
    ['WebSocket RTT', ws !== undefined ? `${ws} ms` : '—'],
    ['Data-channel RTT', d?.dcRttMs !== undefined ? `${d.dcRttMs} ms` : d?.pairRttMs !== undefined ? `${d.pairRttMs} ms (ICE)` : '—'],
    ['Connection', d?.connectionState ?? 'not connected'],
    ['ICE', d?.iceState ?? '—'],
    ['Candidate type', d?.candidateType ?? '—'],
    ['ICE restarts', String(d?.restarts ?? 0)],
  ];
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="diag-title">
      <DialogTitle id="diag-title">Connection details</DialogTitle>
      <DialogContent>
        <Table size="small" data-testid="diagnostics">
          <TableBody>
            {rows.map(([k, v]) => (
              <TableRow key={k}><TableCell component="th" scope="row">{k}</TableCell><TableCell data-testid={`diag-${k}`}>{v}</TableCell></TableRow>
            ))}
          </TableBody>
        </Table>
      </DialogContent>
    </Dialog>
  );
}
