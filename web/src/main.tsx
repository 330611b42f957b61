import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { appStore } from './store/AppStore';

// Exposed for the end-to-end tests and the benchmark, which read state rather than pixels where
// pixels would be fragile (node ids, transfer state).
(window as unknown as { parley: unknown }).parley = appStore;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
