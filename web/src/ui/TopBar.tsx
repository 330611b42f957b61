import { useState } from 'react';
import AppBar from '@mui/material/AppBar';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import IconButton from '@mui/material/IconButton';
import TextField from '@mui/material/TextField';
import Toolbar from '@mui/material/Toolbar';
import Typography from '@mui/material/Typography';
import DarkModeIcon from '@mui/icons-material/DarkMode';
import LightModeIcon from '@mui/icons-material/LightMode';
import LogoutIcon from '@mui/icons-material/Logout';
import { appStore } from '../store/AppStore';
import { useApp } from './useStore';
import { StatusChip } from './StatusChip';
import { UserAvatar } from './LetterAvatar';
import { ColourPicker } from './ColourPicker';
import { colourIndexForPeer } from '../protocol/palette';

export function TopBar({ dark }: { dark: boolean }) {
  const ownName = useApp((s) => s.ownName);
  const pref = useApp((s) => s.preference);
  const account = useApp((s) => s.account);
  const profile = account.status === 'signed-in' ? account.profile : undefined;
  const shownName = profile?.displayName ?? ownName;
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [colour, setColour] = useState<number | undefined>();
  const colourIndex = colourIndexForPeer(ownName ?? '', pref.indexOfPreferColor?.toString());
  return (
    <AppBar position="static" color="default" elevation={1}>
      <Toolbar variant="dense" sx={{ gap: 1 }}>
        <Typography variant="h6" component="div" sx={{ flexShrink: 0 }}>Parley</Typography>
        <StatusChip />
        <Box sx={{ flex: 1 }} />
        {ownName && (
          <Button
            color="inherit" onClick={() => { setName(ownName); setColour(pref.indexOfPreferColor); setOpen(true); }}
            aria-label={profile ? `Signed in as ${profile.username}. Account and colour` : `You are ${ownName}. Change name or colour`}
            sx={{ textTransform: 'none', minWidth: 0 }} data-testid="own-button"
          >
            <UserAvatar name={shownName ?? ownName} colourIndex={colourIndex} src={account.avatar} size={28} />
            <Box component="span" sx={{ ml: 1, display: { xs: 'none', sm: 'inline' } }} data-testid="own-name">{shownName}</Box>
          </Button>
        )}
        <IconButton aria-label={dark ? 'Use light mode' : 'Use dark mode'} onClick={() => appStore.setThemeMode(dark ? 'light' : 'dark')}>
          {dark ? <LightModeIcon /> : <DarkModeIcon />}
        </IconButton>
        <IconButton aria-label="Disconnect" onClick={() => appStore.disconnect(true)}><LogoutIcon /></IconButton>
      </Toolbar>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="pref-title">
        <DialogTitle id="pref-title">{profile ? 'Your account and colour' : 'Your name and colour'}</DialogTitle>
        <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, pt: '8px !important' }}>
          {profile ? (
            <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5 }}>
              <UserAvatar name={profile.displayName ?? profile.username} colourIndex={colourIndex} src={account.avatar} />
              <Box>
                <div>{profile.displayName ?? profile.username}</div>
                <Box component="span" sx={{ color: 'text.secondary', fontSize: 14 }}>@{profile.username}</Box>
              </Box>
            </Box>
          ) : (
            <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} slotProps={{ htmlInput: { maxLength: 64 } }} />
          )}
          <ColourPicker value={colour} onChange={setColour} />
        </DialogContent>
        <DialogActions>
          {profile && <Button color="error" onClick={() => { setOpen(false); void appStore.logout(); }} sx={{ mr: 'auto' }}>Log out</Button>}
          <Button onClick={() => setOpen(false)}>Cancel</Button>
          <Button variant="contained" onClick={() => { appStore.rename(profile ? { indexOfPreferColor: colour } : { name: name.trim() || undefined, indexOfPreferColor: colour }); setOpen(false); }}>Save</Button>
        </DialogActions>
      </Dialog>
    </AppBar>
  );
}
