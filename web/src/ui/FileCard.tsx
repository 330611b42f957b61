import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import InsertDriveFileIcon from '@mui/icons-material/InsertDriveFile';
import { appStore } from '../store/AppStore';
import type { StoredMessage } from '../store/records';
import { formatBytes, formatEta } from '../rtc/transferStats';
import { inlineKind, isSafeThumbnail, sanitizeFileName } from '../protocol/fileCategory';
import { useApp } from './useStore';

const STATE_TEXT: Record<string, string> = {
  hashing: 'Preparing…', waiting: 'Waiting for the peer…', sending: 'Sending', receiving: 'Receiving',
  verifying: 'Verifying…', done: 'Complete', failed: 'Failed', cancelled: 'Cancelled',
};

/** A file message: thumbnail or inline media, progress with speed and time left, cancel, download. */
export function FileCard({ m }: { m: StoredMessage }) {
  const t = useApp((s) => s.transfers[m.messageId]);
  const f = m.file!;
  const active = t && ['hashing', 'waiting', 'sending', 'receiving', 'verifying'].includes(t.state);
  // Whole percents: the bar's value is what a screen reader announces.
  const pct = t?.progress && t.progress.total > 0 ? Math.round((100 * t.progress.bytes) / t.progress.total) : f.size === 0 && t?.state === 'done' ? 100 : 0;
  const kind = inlineKind(f.type);
  const safeName = sanitizeFileName(f.name);
  const thumb = f.thumbnail && isSafeThumbnail(f.thumbnail.dataURL) ? f.thumbnail.dataURL : undefined;
  return (
    <Box data-testid="file-card" data-file-name={f.name} data-state={t?.state ?? 'unknown'} sx={{ minWidth: 220, maxWidth: 320 }}>
      {t?.url && t.state === 'done' && kind === 'image' ? (
        <Box component="img" src={t.url} alt={safeName} data-testid="file-image" sx={{ maxWidth: '100%', maxHeight: 240, borderRadius: 1, display: 'block' }} />
      ) : t?.url && t.state === 'done' && kind === 'video' ? (
        <Box component="video" src={t.url} controls sx={{ maxWidth: '100%', maxHeight: 240 }} aria-label={safeName} />
      ) : thumb ? (
        <Box component="img" src={thumb} alt={`Thumbnail of ${safeName}`} data-testid="thumbnail" sx={{ width: 150, borderRadius: 1, display: 'block' }} />
      ) : null}
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mt: 0.5 }}>
        <InsertDriveFileIcon fontSize="small" aria-hidden />
        <Typography variant="body2" sx={{ overflowWrap: 'anywhere' }}>{f.name}</Typography>
      </Box>
      <Typography variant="caption" component="div" data-testid="file-status">
        {formatBytes(f.size)} · {t ? STATE_TEXT[t.state] ?? t.state : m.author === 'me' ? 'Sent (no copy kept here)' : 'No longer available on this device'}
        {t?.error && <Box component="span" sx={{ color: 'error.main', fontWeight: 600 }} role="alert" data-testid="file-error">: {t.error}</Box>}
      </Typography>
      {active && (
        <>
          <LinearProgress
            variant={t.state === 'waiting' ? 'indeterminate' : 'determinate'} value={pct} aria-label="Transfer progress"
            // No CSS transition on the bar: with progress every 200 ms a 0.4 s transition would
            // animate (and repaint) at the frame rate for the whole transfer.
            sx={{ my: 0.5, '& .MuiLinearProgress-bar1': { transition: t.state === 'waiting' ? undefined : 'none' } }}
          />
          {t.progress && (t.state === 'sending' || t.state === 'receiving') && (
            <Typography variant="caption" component="div" data-testid="file-speed">
              {formatBytes(t.progress.bytes)} / {formatBytes(t.progress.total)} · {formatBytes(Math.round(t.progress.bytesPerSec))}/s · {formatEta(t.progress.etaSec)} left
            </Typography>
          )}
          {t.progress && t.state === 'verifying' && t.progress.bytes < t.progress.total && (
            <Typography variant="caption" component="div" data-testid="file-verify-progress">
              Checking SHA-256: {formatBytes(t.progress.bytes)} / {formatBytes(t.progress.total)} · {formatEta(t.progress.etaSec)} left
            </Typography>
          )}
          <Button size="small" color="inherit" onClick={() => appStore.cancelTransfer(m.messageId)}>Cancel</Button>
        </>
      )}
      {t?.url && t.state === 'done' && (
        <Button size="small" color="inherit" href={t.url} download={safeName} data-testid="file-download">Download</Button>
      )}
      {t?.kept === 'too-large' && t.state === 'done' && (
        <Typography variant="caption" component="div" data-testid="file-not-kept">Too large to keep after a reload: download it now.</Typography>
      )}
    </Box>
  );
}
