import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { appStore } from '../store/AppStore';
import { useApp } from './useStore';
import { ColourPicker } from './ColourPicker';

/** Server choice, visitor name and colour. Login buttons (the `idp` list) belong to a later issue. */
export function ConnectScreen() {
  const servers = useApp((s) => s.servers);
  const serverId = useApp((s) => s.serverId);
  const error = useApp((s) => s.serversError);
  const pref = useApp((s) => s.preference);
  const [name, setName] = useState(pref.name ?? '');
  const [colour, setColour] = useState<number | undefined>(pref.indexOfPreferColor);
  const server = servers.find((s) => s.id === serverId);

  const connect = (e: React.FormEvent) => {
    e.preventDefault();
    if (serverId) appStore.connect(serverId, { name, indexOfPreferColor: colour });
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
          {server?.allowAnonymous !== false && (
            <TextField
              label="Your name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              slotProps={{ htmlInput: { maxLength: 64, 'data-testid': 'name-input' } }}
              helperText="Leave empty for a generated name"
              autoFocus
            />
          )}
          <Typography variant="body2" color="text.secondary">Colour</Typography>
          <ColourPicker value={colour} onChange={setColour} />
          <Button type="submit" variant="contained" disabled={!serverId}>Connect</Button>
        </CardContent>
      </Card>
    </Box>
  );
}
