import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { App } from './App';
import { apiReady } from './api';
import { SessionProblem } from './SessionProblem';

// Browser mode exchanges the link's ticket for a session first (the app's calls need it).
void apiReady().then((problem) =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>{problem ? <SessionProblem problem={problem} /> : <App />}</StrictMode>,
  ),
);
