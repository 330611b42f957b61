import { useRef, useState } from 'react';
import Box from '@mui/material/Box';
import IconButton from '@mui/material/IconButton';
import TextField from '@mui/material/TextField';
import SendIcon from '@mui/icons-material/Send';
import AttachFileIcon from '@mui/icons-material/AttachFile';
import ImageIcon from '@mui/icons-material/Image';
import { appStore } from '../store/AppStore';

/** Enter sends, Shift+Enter inserts a newline (§10.4); pasting files sends them. */
/** `enabled` false: still connecting (typing queues); `lockedReason`: nothing may be written now, and why. */
export function Composer({ peerId, enabled, attachments, lockedReason }: { peerId: string; enabled: boolean; attachments: boolean; lockedReason?: string }) {
  const [text, setText] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const mediaInput = useRef<HTMLInputElement>(null);
  const send = () => {
    if (!text.trim()) return;
    appStore.sendText(peerId, text);
    setText('');
  };
  const pick = (source: 'picker' | 'media') => (e: React.ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(e.target.files ?? []);
    e.target.value = '';
    if (files.length) void appStore.sendFiles(peerId, files, source);
  };
  return (
    <Box component="form" onSubmit={(e) => { e.preventDefault(); send(); }} sx={{ display: 'flex', alignItems: 'flex-end', gap: 0.5, p: 1, borderTop: 1, borderColor: 'divider' }}>
      <input ref={fileInput} type="file" multiple hidden onChange={pick('picker')} data-testid="file-input" />
      <input ref={mediaInput} type="file" accept="image/*,video/*" multiple hidden onChange={pick('media')} data-testid="media-input" />
      {attachments && (
        <>
          <IconButton aria-label="Attach file" onClick={() => fileInput.current?.click()} disabled={!enabled || lockedReason !== undefined}><AttachFileIcon /></IconButton>
          <IconButton aria-label="Send photo or video" onClick={() => mediaInput.current?.click()} disabled={!enabled || lockedReason !== undefined}><ImageIcon /></IconButton>
        </>
      )}
      <TextField
        fullWidth multiline maxRows={6} size="small" value={text} autoFocus
        placeholder={lockedReason ?? (enabled ? 'Message' : 'Connecting…')}
        disabled={lockedReason !== undefined}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => { if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) { e.preventDefault(); send(); } }}
        onPaste={(e) => {
          const files = Array.from(e.clipboardData.files);
          if (files.length && attachments) { e.preventDefault(); void appStore.sendFiles(peerId, files, 'paste'); }
        }}
        slotProps={{ htmlInput: { 'aria-label': 'Message', 'data-testid': 'composer' } }}
      />
      <IconButton type="submit" aria-label="Send" color="primary" disabled={!text.trim() || lockedReason !== undefined}><SendIcon /></IconButton>
    </Box>
  );
}
