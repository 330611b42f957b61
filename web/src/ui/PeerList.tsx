import { useMemo, useState } from 'react';
import Button from '@mui/material/Button';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import ExpandLessIcon from '@mui/icons-material/ExpandLess';
import { colourIndexForPeer } from '../protocol/palette';
import Badge from '@mui/material/Badge';
import Box from '@mui/material/Box';
import List from '@mui/material/List';
import ListItemAvatar from '@mui/material/ListItemAvatar';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { appStore } from '../store/AppStore';
import { matchesSearch, sortPeers, unreadCount } from '../store/peerOrder';
import { useApp } from './useStore';
import { LetterAvatar, UserAvatar } from './LetterAvatar';

export function PeerList() {
  const peers = useApp((s) => s.peers);
  const conversations = useApp((s) => s.conversations);
  const selected = useApp((s) => s.selected);
  const selectedConv = useApp((s) => s.selectedConv);
  const pastConvs = useApp((s) => s.pastConvs);
  const [query, setQuery] = useState('');
  const [showPast, setShowPast] = useState(false);
  const shown = useMemo(
    () => sortPeers(Object.values(peers), conversations).filter((p) => matchesSearch(p, query)),
    [peers, conversations, query],
  );
  // Conversations kept on this device whose peer is not online now.
  const past = useMemo(() => {
    const online = new Set(Object.values(peers).map((p) => p.conv));
    const q = query.trim().toLowerCase();
    return pastConvs.filter((c) => !online.has(c.conv) && (!q || c.name.toLowerCase().includes(q)));
  }, [pastConvs, peers, query]);
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', minHeight: 0, flex: 1 }}>
      <Box sx={{ p: 1 }}>
        <TextField size="small" fullWidth placeholder="Search people" value={query} onChange={(e) => setQuery(e.target.value)} slotProps={{ htmlInput: { 'aria-label': 'Search people' } }} />
      </Box>
      <List aria-label="People" sx={{ overflowY: 'auto', flex: 1 }} data-testid="peer-list">
        {shown.map((p) => {
          const unread = unreadCount(conversations[p.conv]);
          const last = conversations[p.conv]?.at(-1);
          return (
            <Tooltip
              key={p.nodeId}
              // Only logged-in peers have something to tell (§10.4); never block the chat beside it.
              title={p.authentication === 'none' ? '' : `${p.username ? `@${p.username} · ` : ''}${p.authentication}`}
              placement="bottom-start"
              enterDelay={800}
              disableInteractive
            >
              <ListItemButton
                selected={selected === p.nodeId}
                onClick={() => appStore.openChat(p.nodeId)}
                data-testid="peer"
                data-peer-name={p.name}
                data-peer-username={p.username}
                aria-label={`${p.displayName}${unread ? `, ${unread} unread` : ''}`}
              >
                <ListItemAvatar>
                  <Badge badgeContent={unread} color="primary" overlap="circular" slotProps={{ badge: { 'data-testid': 'unread-badge' } as object }}>
                    <UserAvatar name={p.displayName} colourIndex={p.colourIndex} src={p.avatar} />
                  </Badge>
                </ListItemAvatar>
                <ListItemText
                  primary={p.displayName}
                  secondary={last ? (last.file ? `📎 ${last.file.name}` : last.audio ? '🎵 audio' : last.text) : p.isBot ? 'bot' : undefined}
                  slotProps={{ primary: { noWrap: true }, secondary: { noWrap: true } }}
                />
              </ListItemButton>
            </Tooltip>
          );
        })}
        {!shown.length && (
          <Typography sx={{ p: 2 }} color="text.secondary" variant="body2">
            {Object.keys(peers).length ? 'Nobody matches.' : 'Nobody else is online yet.'}
          </Typography>
        )}
        {past.length > 0 && (
          <>
            <Button
              fullWidth size="small" color="inherit" onClick={() => setShowPast(!showPast)} aria-expanded={showPast}
              endIcon={showPast ? <ExpandLessIcon /> : <ExpandMoreIcon />} sx={{ justifyContent: 'space-between', px: 2, mt: 1, textTransform: 'none' }}
              data-testid="past-toggle"
            >
              Earlier conversations ({past.length})
            </Button>
            {showPast && past.map((c) => (
              <ListItemButton key={c.conv} selected={selectedConv === c.conv} onClick={() => appStore.openPastConv(c.conv)} data-testid="past-conv" data-conv-name={c.name}>
                <ListItemAvatar><LetterAvatar name={c.name} colourIndex={c.colourIndex ?? colourIndexForPeer(c.name, undefined)} /></ListItemAvatar>
                <ListItemText
                  primary={c.name}
                  secondary={`${c.lastActivity ? new Date(c.lastActivity).toLocaleDateString() : ''}${c.legacy ? ' · saved by name' : ''}`}
                  slotProps={{ primary: { noWrap: true }, secondary: { noWrap: true } }}
                />
              </ListItemButton>
            ))}
          </>
        )}
      </List>
    </Box>
  );
}
