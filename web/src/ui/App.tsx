import { useEffect, useMemo } from 'react';
import Box from '@mui/material/Box';
import CssBaseline from '@mui/material/CssBaseline';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { ThemeProvider, createTheme } from '@mui/material/styles';
import { appStore } from '../store/AppStore';
import { useApp } from './useStore';
import { ConnectScreen } from './ConnectScreen';
import { TopBar } from './TopBar';
import { PeerList } from './PeerList';
import { ChatPane } from './ChatPane';
import { PastChatPane } from './PastChatPane';

export function App() {
  const mode = useApp((s) => s.themeMode);
  const prefersDark = useMediaQuery('(prefers-color-scheme: dark)');
  const dark = mode === 'dark' || (mode === 'system' && prefersDark);
  const theme = useMemo(() => createTheme({ palette: { mode: dark ? 'dark' : 'light' } }), [dark]);
  const status = useApp((s) => s.status);
  const selected = useApp((s) => s.selected);
  const selectedConv = useApp((s) => s.selectedConv);
  const open = selected ?? selectedConv;
  const wide = useMediaQuery(theme.breakpoints.up('md'));

  useEffect(() => { void appStore.init(); }, []);

  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      {status === 'closed' ? (
        <ConnectScreen />
      ) : (
        <Box sx={{ height: '100dvh', display: 'flex', flexDirection: 'column' }}>
          <TopBar dark={dark} />
          <Box component="main" sx={{ flex: 1, display: 'flex', minHeight: 0 }}>
            {(wide || !open) && (
              <Box component="nav" aria-label="People" sx={{ width: wide ? 300 : '100%', borderRight: wide ? 1 : 0, borderColor: 'divider', display: 'flex', flexDirection: 'column' }}>
                <PeerList />
              </Box>
            )}
            {selected ? (
              <ChatPane key={selected} peerId={selected} />
            ) : selectedConv ? (
              <PastChatPane key={selectedConv} conv={selectedConv} />
            ) : wide ? (
              <Box sx={{ flex: 1, display: 'grid', placeItems: 'center' }}>
                <Typography color="text.secondary">Pick someone to chat with.</Typography>
              </Box>
            ) : null}
          </Box>
        </Box>
      )}
    </ThemeProvider>
  );
}
