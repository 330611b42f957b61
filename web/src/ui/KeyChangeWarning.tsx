import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import { appStore } from '../store/AppStore';
import { useApp } from './useStore';

/**
 * A verified contact shows another certificate: nothing is sent until the user compares the
 * numbers again or chooses to go on. Afterwards a quieter line stays while it is unverified.
 */
export function KeyChangeWarning({ peerId, onCompare }: { peerId: string; onCompare: () => void }) {
  const v = useApp((s) => s.verification[peerId]);
  const name = useApp((s) => s.peers[peerId]?.displayName ?? 'This contact');
  if (v?.status !== 'changed') return null;
  const compare = <Button color="inherit" size="small" onClick={onCompare}>Compare numbers</Button>;
  if (v.acknowledged) {
    return (
      <Alert severity="warning" action={compare} sx={{ borderRadius: 0 }} data-testid="key-change-note">
        Not verified: {name}&apos;s safety number changed.
      </Alert>
    );
  }
  return (
    <Alert
      severity="error" variant="filled" sx={{ borderRadius: 0 }} role="alert" data-testid="key-change-warning"
      action={<>{compare}<Button color="inherit" size="small" onClick={() => appStore.acknowledgeKeyChange(peerId)}>Send anyway</Button></>}
    >
      <AlertTitle>{name}&apos;s safety number has changed</AlertTitle>
      You verified {name} before, but this connection uses a different key. Someone may be intercepting this
      conversation, or {name} is using a new browser or device. Nothing you write is sent until you compare the
      numbers again or choose to send anyway.
    </Alert>
  );
}
