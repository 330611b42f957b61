import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Typography from '@mui/material/Typography';
import { groupDigits } from '../protocol/safetyNumber';
import { appStore } from '../store/AppStore';
import { QrCode } from './QrCode';
import { useApp } from './useStore';

const STATUS_TEXT = {
  verified: 'You have verified this contact.',
  unverified: 'Not verified yet.',
  changed: 'Not verified: the safety number changed since you verified this contact.',
} as const;

/** The conversation's safety number, to compare out of band, and the verified mark. */
export function SafetyNumberDialog({ peerId, open, onClose }: { peerId: string; open: boolean; onClose: () => void }) {
  const peer = useApp((s) => s.peers[peerId]);
  const v = useApp((s) => s.verification[peerId]);
  const name = peer?.displayName ?? 'this person';
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="safety-title" maxWidth="xs" fullWidth>
      <DialogTitle id="safety-title">Safety number with {name}</DialogTitle>
      <DialogContent>
        {v?.digits ? (
          <>
            <Box sx={{ display: 'flex', justifyContent: 'center', my: 1 }}>
              <QrCode text={v.digits} label={`Safety number QR code: ${v.digits}`} />
            </Box>
            <Box
              data-testid="safety-number"
              aria-label="Safety number"
              sx={{ display: 'grid', gridTemplateColumns: 'repeat(4, auto)', justifyContent: 'center', columnGap: 2, rowGap: 0.5, fontFamily: 'monospace', fontSize: '1.15rem', my: 2 }}
            >
              {groupDigits(v.digits).map((g, i) => <span key={i}>{g}</span>)}
            </Box>
            <Typography variant="body2" sx={{ mb: 1 }}>
              Compare this number with the one on {name}&apos;s screen, in person or on a call you trust. If they are the same,
              no one is between you: messages and files go only to {name}. If they differ, someone may be intercepting this chat.
            </Typography>
          </>
        ) : (
          <Typography variant="body2" sx={{ my: 2 }}>The number appears once the connection to {name} is secured.</Typography>
        )}
        <Typography variant="body2" color={v?.status === 'verified' ? 'success.main' : v?.status === 'changed' ? 'error.main' : 'text.secondary'} data-testid="safety-status">
          {STATUS_TEXT[v?.status ?? 'unverified']}
        </Typography>
        {v && (
          <Typography component="div" variant="caption" color="text.secondary" sx={{ mt: 1.5, fontFamily: 'monospace', wordBreak: 'break-all' }}>
            <div>Theirs: {v.peerFingerprint}</div>
            {v.ownFingerprint && <div>Yours: {v.ownFingerprint}</div>}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        {v?.status === 'verified' && <Button color="inherit" onClick={() => appStore.unverify(peerId)}>Remove verification</Button>}
        {v?.digits && v.status !== 'verified' && (
          <Button variant="contained" onClick={() => { appStore.markVerified(peerId); onClose(); }} data-testid="mark-verified">Mark as verified</Button>
        )}
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
