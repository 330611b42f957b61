import { memo, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import Typography from '@mui/material/Typography';
import MoreVertIcon from '@mui/icons-material/MoreVert';
import DoneIcon from '@mui/icons-material/Done';
import ScheduleIcon from '@mui/icons-material/Schedule';
import ErrorOutlineIcon from '@mui/icons-material/ErrorOutlineOutlined';
import PauseCircleOutlineIcon from '@mui/icons-material/PauseCircleOutlined';
import type { StoredMessage } from '../store/records';
import { FileCard } from './FileCard';
import { AudioPlayer } from './AudioPlayer';

interface Props {
  m: StoredMessage;
  peerId: string;
  onEdit: (m: StoredMessage) => void;
  onDelete: (m: StoredMessage) => void;
  onRetry: (m: StoredMessage) => void;
  /** an earlier conversation whose peer is not online: nothing can be sent, edited or retried */
  readOnly?: boolean;
}

function DeliveryMark({ m, onRetry, readOnly }: { m: StoredMessage; onRetry: () => void; readOnly?: boolean }) {
  if (m.delivery === 'delivered') return <DoneIcon fontSize="inherit" aria-label="delivered" data-testid="delivered" />;
  if (m.delivery === 'failed')
    return (
      <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, color: 'error.main' }} data-testid="failed">
        <ErrorOutlineIcon fontSize="inherit" aria-hidden /> not delivered
        {!m.file && !readOnly && <Button size="small" color="error" onClick={onRetry} sx={{ minWidth: 0, py: 0 }}>Retry</Button>}
      </Box>
    );
  if (m.delivery === 'held')
    return (
      <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, fontWeight: 600 }} data-testid="held">
        <PauseCircleOutlineIcon fontSize="inherit" aria-hidden /> held
      </Box>
    );
  return <ScheduleIcon fontSize="inherit" aria-label="sending" data-testid="sending" />;
}

/** One message. Text is rendered as a React text node with pre-wrap: never as HTML. */
export const MessageBubble = memo(function MessageBubble({ m, peerId, onEdit, onDelete, onRetry, readOnly }: Props) {
  const mine = m.author === 'me';
  const actions = mine && !m.audio && !readOnly;
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const time = new Date(m.timestamp).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return (
    <Box
      data-testid="message"
      data-message-id={m.messageId}
      data-author={m.author}
      sx={{ display: 'flex', justifyContent: mine ? 'flex-end' : 'flex-start', px: 1, py: 0.5 }}
    >
      <Box
        sx={{
          maxWidth: 'min(80%, 560px)', px: 1.5, py: 1, borderRadius: 2,
          bgcolor: mine ? 'primary.main' : 'action.hover', color: mine ? 'primary.contrastText' : 'text.primary',
          position: 'relative',
        }}
      >
        {m.audio ? (
          <AudioPlayer peerId={peerId} />
        ) : m.file ? (
          <FileCard m={m} />
        ) : (
          <Typography component="div" data-testid="message-text" sx={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {m.text}
          </Typography>
        )}
        <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: 0.5, fontSize: 12, opacity: 0.8, mt: 0.25 }}>
          {m.edited && <span data-testid="edited">edited ·</span>}
          <span>{time}</span>
          {mine && !m.audio && <DeliveryMark m={m} onRetry={() => onRetry(m)} readOnly={readOnly} />}
          {actions && (
            <IconButton size="small" aria-label="Message actions" onClick={(e) => setAnchor(e.currentTarget)} sx={{ color: 'inherit', p: 0.25 }}>
              <MoreVertIcon fontSize="inherit" />
            </IconButton>
          )}
        </Box>
        <Menu anchorEl={anchor} open={!!anchor} onClose={() => setAnchor(null)}>
          {!m.file && <MenuItem onClick={() => { setAnchor(null); onEdit(m); }}>Edit</MenuItem>}
          <MenuItem onClick={() => { setAnchor(null); onDelete(m); }}>Delete</MenuItem>
        </Menu>
      </Box>
    </Box>
  );
});
