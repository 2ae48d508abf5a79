'use client';

import { createContext } from 'react';

/**
 * Between a page that follows its data live (the account page's LiveUpdates) and the forms on it: a
 * form says when its action starts, and when it ends which version of the page the action's answer
 * brings with it (the version its command wrote; null when it wrote nothing). Meanwhile the page
 * holds back refreshing for the events the action caused: its answer renders them already.
 */
export type PageRenders = { actionStarted: () => (brings: number | null) => void };

/** No live page around the form: nothing to tell. */
export const PageRendersContext = createContext<PageRenders>({ actionStarted: () => () => {} });
