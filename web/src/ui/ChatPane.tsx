import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import IconButton from '@mui/material/IconButton';
import Typography from '@mui/material/Typography';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import InfoOutlinedIcon from '@mui/icons-material/InfoOutlined';
import VerifiedUserIcon from '@mui/icons-material/VerifiedUser';
import GppMaybeIcon from '@mui/icons-material/GppMaybe';
import ShieldOutlinedIcon from '@mui/icons-material/ShieldOutlined';
import { appStore } from '../store/AppStore';
import { offersTurn, unreachableHint } from '../store/reachability';
import { useApp } from './useStore';
import { UserAvatar } from './LetterAvatar';
import { MessageList } from './MessageList';
import { Composer } from './Composer';
import { DiagnosticsDialog } from './DiagnosticsDialog';
import { KeyChangeWarning } from './KeyChangeWarning';
import { SafetyNumberDialog } from './SafetyNumberDialog';

const EMPTY: never[] = [];

export function ChatPane({ peerId }: { peerId: string }) {
  const peer = useApp((s) => s.peers[peerId]);
  const messages = useApp((s) => (peer ? s.conversations[peer.conv] : undefined) ?? EMPTY);
  const diag = useApp((s) => s.diagnostics[peerId]);
  const verification = useApp((s) => s.verification[peerId]);
  const [diagOpen, setDiagOpen] = useState(false);
  const [safetyOpen, setSafetyOpen] = useState(false);
  const [dragging, setDragging] = useState(false);

  if (!peer) {
    return (
      <Box sx={{ flex: 1, display: 'grid', placeItems: 'center' }}>
        <Typography color="text.secondary">This person has left.</Typography>
      </Box>
    );
  }
  const state = diag?.connectionState ?? 'new';
  const attachments = peer.attributes.support_attachment === 'true';
  const held = verification?.status === 'changed' && !verification.acknowledged;
  const safety = verification?.status ?? 'unverified';
  return (
    <Box
      sx={{ flex: 1, display: 'flex', flexDirection: 'column', minWidth: 0, minHeight: 0, position: 'relative' }}
      data-testid="chat-pane"
      onDragOver={(e) => { if (attachments && e.dataTransfer.types.includes('Files')) { e.preventDefault(); setDragging(true); } }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        const files = Array.from(e.dataTransfer.files);
        if (files.length && attachments && !held) void appStore.sendFiles(peerId, files, 'drop');
      }}
    >
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, p: 1, borderBottom: 1, borderColor: 'divider' }}>
        <IconButton aria-label="Back to people" onClick={() => appStore.closeChat()} sx={{ display: { md: 'none' } }}><ArrowBackIcon /></IconButton>
        <UserAvatar name={peer.displayName} colourIndex={peer.colourIndex} src={peer.avatar} size={32} />
        <Typography variant="h6" component="h2" noWrap sx={{ flex: 1 }} data-testid="chat-title">{peer.displayName}</Typography>
        <Chip size="small" label={state} color={state === 'connected' ? 'success' : state === 'failed' ? 'error' : 'default'} data-testid="peer-state" />
        <IconButton
          aria-label={safety === 'verified' ? 'Safety number (verified)' : safety === 'changed' ? 'Safety number (changed)' : 'Safety number'}
          onClick={() => setSafetyOpen(true)} data-testid="safety-button" data-status={safety}
          color={safety === 'verified' ? 'success' : safety === 'changed' ? 'error' : 'default'}
        >
          {safety === 'verified' ? <VerifiedUserIcon /> : safety === 'changed' ? <GppMaybeIcon /> : <ShieldOutlinedIcon />}
        </IconButton>
        <IconButton aria-label="Connection details" onClick={() => setDiagOpen(true)}><InfoOutlinedIcon /></IconButton>
      </Box>
      {state === 'failed' && (
        <Alert severity="warning" sx={{ borderRadius: 0 }} data-testid="peer-unreachable">
          {unreachableHint(peer.displayName, offersTurn(appStore.server))}
        </Alert>
      )}
      <KeyChangeWarning peerId={peerId} onCompare={() => setSafetyOpen(true)} />
      <MessageList peerId={peerId} conv={peer.conv} messages={messages} />
      <Composer peerId={peerId} enabled={state !== 'failed'} attachments={attachments} lockedReason={held ? 'Compare the safety number, or choose Send anyway' : undefined} />
      {dragging && (
        <Box sx={{ position: 'absolute', inset: 0, bgcolor: 'action.selected', display: 'grid', placeItems: 'center', pointerEvents: 'none', border: 2, borderStyle: 'dashed' }}>
          <Typography variant="h6">Drop files to send</Typography>
        </Box>
      )}
      <DiagnosticsDialog peerId={peerId} open={diagOpen} onClose={() => setDiagOpen(false)} />
      <SafetyNumberDialog peerId={peerId} open={safetyOpen} onClose={() => setSafetyOpen(false)} />
    </Box>
  );
}
