import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import CircularProgress from '@mui/material/CircularProgress';
import Divider from '@mui/material/Divider';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import GitHubIcon from '@mui/icons-material/GitHub';
import KeyIcon from '@mui/icons-material/Key';
import LoginIcon from '@mui/icons-material/Login';
import { appStore } from '../store/AppStore';
import { idpKind, idpLabel } from '../protocol/profile';
import { colourIndexForPeer } from '../protocol/palette';
import { useApp } from './useStore';
import { ColourPicker } from './ColourPicker';
import { UserAvatar } from './LetterAvatar';

const IDP_ICONS = { github: <GitHubIcon />, kioubit: <KeyIcon />, generic: <LoginIcon /> } as const;

/** Server choice; sign-in with the providers the server lists (`idp`), or a visitor name; colour. */
export function ConnectScreen() {
  const servers = useApp((s) => s.servers);
  const serverId = useApp((s) => s.serverId);
  const error = useApp((s) => s.serversError);
  const pref = useApp((s) => s.preference);
  const account = useApp((s) => s.account);
  const [name, setName] = useState(pref.name ?? '');
  const [colour, setColour] = useState<number | undefined>(pref.indexOfPreferColor);
  const server = servers.find((s) => s.id === serverId);
  const signedIn = account.status === 'signed-in' && account.profile;
  const visitorsAllowed = server?.allowAnonymous !== false;
  const canConnect = !!serverId && account.status !== 'finishing' && account.status !== 'unknown' && (signedIn || visitorsAllowed);

  const connect = (e: React.FormEvent) => {
    e.preventDefault();
    if (serverId && canConnect) appStore.connect(serverId, { name, indexOfPreferColor: colour });
  };

  return (
    <Box sx={{ minHeight: '100dvh', display: 'grid', placeItems: 'center', p: 2 }}>
      <Card component="form" onSubmit={connect} sx={{ width: '100%', maxWidth: 420 }} aria-label="Connect">
        <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          <Typography variant="h5" component="h1">Parley</Typography>
          {error && <Alert severity="error">{error}</Alert>}
          <TextField select label="Server" value={serverId ?? ''} onChange={(e) => appStore.selectServer(e.target.value)} disabled={!servers.length}>
            {servers.map((s) => <MenuItem key={s.id} value={s.id}>{s.name}</MenuItem>)}
          </TextField>
          {account.status === 'finishing' && (
            <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }} role="status" data-testid="login-finishing">
              <CircularProgress size={20} /> <Typography variant="body2" sx={{ flex: 1 }}>Finishing sign-in…</Typography>
              <Button size="small" onClick={() => appStore.cancelLogin()}>Cancel</Button>
            </Box>
          )}
          {account.error && <Alert severity="warning" data-testid="login-error">{account.error}</Alert>}
          {signedIn ? (
            <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5 }} data-testid="signed-in">
              <UserAvatar name={signedIn.displayName ?? signedIn.username} colourIndex={colourIndexForPeer(signedIn.username, colour?.toString())} src={account.avatar} />
              <Box sx={{ flex: 1, minWidth: 0 }}>
                <Typography noWrap data-testid="account-name">{signedIn.displayName ?? signedIn.username}</Typography>
                <Typography variant="body2" color="text.secondary" noWrap data-testid="account-username">@{signedIn.username}</Typography>
              </Box>
              <Button size="small" onClick={() => void appStore.logout()}>Log out</Button>
            </Box>
          ) : (
            server && server.idp.length > 0 && account.status !== 'finishing' && (
              <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1 }} aria-label="Sign in">
                {server.idp.map((idp) => (
                  <Button key={idp.name} variant="outlined" startIcon={IDP_ICONS[idpKind(idp.kind)]} onClick={() => appStore.login(idp)} data-testid={`login-${idp.name}`}>
                    {idpLabel(idp)}
                  </Button>
                ))}
                {visitorsAllowed && <Divider sx={{ my: 0.5 }}><Typography variant="caption" color="text.secondary">or as a visitor</Typography></Divider>}
              </Box>
            )
          )}
          {!signedIn && visitorsAllowed && (
            <TextField
              label="Your name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              slotProps={{ htmlInput: { maxLength: 64, 'data-testid': 'name-input' } }}
              helperText="Leave empty for a generated name"
              autoFocus={!server?.idp.length}
            />
          )}
          {!signedIn && !visitorsAllowed && account.status === 'anonymous' && (
            <Alert severity="info">This server needs you to sign in.</Alert>
          )}
          <Typography variant="body2" color="text.secondary">Colour</Typography>
          <ColourPicker value={colour} onChange={setColour} />
          <Button type="submit" variant="contained" disabled={!canConnect}>{signedIn ? `Connect as ${signedIn.username}` : 'Connect'}</Button>
        </CardContent>
      </Card>
    </Box>
  );
}
