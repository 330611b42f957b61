import { useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import IconButton from '@mui/material/IconButton';
import Typography from '@mui/material/Typography';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import DeleteOutlineIcon from '@mui/icons-material/DeleteOutlined';
import { appStore } from '../store/AppStore';
import { colourIndexForPeer } from '../protocol/palette';
import { useApp } from './useStore';
import { LetterAvatar } from './LetterAvatar';
import { MessageList } from './MessageList';

const EMPTY: never[] = [];

/** An earlier conversation kept on this device whose peer is not online: read it, or delete it. */
export function PastChatPane({ conv }: { conv: string }) {
  const info = useApp((s) => s.pastConvs.find((c) => c.conv === conv));
  const messages = useApp((s) => s.conversations[conv] ?? EMPTY);
  const [confirm, setConfirm] = useState(false);
  const name = info?.name ?? conv.slice(2);
  return (
    <Box sx={{ flex: 1, display: 'flex', flexDirection: 'column', minWidth: 0, minHeight: 0 }} data-testid="past-chat-pane">
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, p: 1, borderBottom: 1, borderColor: 'divider' }}>
        <IconButton aria-label="Back to people" onClick={() => appStore.closeChat()} sx={{ display: { md: 'none' } }}><ArrowBackIcon /></IconButton>
        <LetterAvatar name={name} colourIndex={info?.colourIndex ?? colourIndexForPeer(name, undefined)} size={32} />
        <Typography variant="h6" component="h2" noWrap sx={{ flex: 1 }} data-testid="chat-title">{name}</Typography>
        <Chip size="small" label="not online" />
        <IconButton aria-label="Delete this conversation" onClick={() => setConfirm(true)}><DeleteOutlineIcon /></IconButton>
      </Box>
      {info?.legacy && (
        <Typography variant="body2" color="text.secondary" sx={{ px: 2, pt: 1 }} data-testid="legacy-note">
          Saved by name before this device could tell people apart: it may mix several people who used the name “{name}”.
        </Typography>
      )}
      <MessageList peerId="" conv={conv} messages={messages} readOnly />
      <Typography variant="body2" color="text.secondary" sx={{ p: 1.5, borderTop: 1, borderColor: 'divider' }}>
        This conversation is kept on this device. {name} is not online, so nothing can be sent.
      </Typography>
      <Dialog open={confirm} onClose={() => setConfirm(false)} aria-labelledby="del-conv-title">
        <DialogTitle id="del-conv-title">Delete this conversation?</DialogTitle>
        <DialogContent><DialogContentText>Its messages and received files are removed from this device.</DialogContentText></DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirm(false)}>Cancel</Button>
          <Button color="error" variant="contained" onClick={() => { setConfirm(false); void appStore.deleteConversation(conv); }}>Delete</Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}
