// Fast-changing data (rates) goes through context, not node data: a rate sample
// then re-renders the visible nodes without rebuilding the node list or the layout.
import { createContext } from 'react';
import type { RatesView } from '../hooks/useRates';

export const RatesContext = createContext<RatesView>({ sample: null, byIface: new Map(), history: new Map(), version: 0 });
