/**
 * Command and event names and their IPC channels: the only place channel strings are made.
 * Kept free of dependencies so the sandboxed preload bundles it small.
 */

export const COMMAND_NAMES = [
  'startPipeline',
  'stopPipeline',
  'getStatus',
  'getConfig',
  'setSource',
  'listRecordings',
  'chooseReplayFile',
  'setFinnhubToken',
  'subscribe',
  'unsubscribe',
  'getThresholds',
  'setThreshold',
  'pinSymbolsSubscribed',
  'testConnection',
  'watch',
  'getAlerts',
  'kpiSnapshot',
  'exportCsv',
  'previewRetention',
  'setRetention',
  'savePng',
  'copyPng',
  'setBehaviour',
] as const
export type CommandName = (typeof COMMAND_NAMES)[number]

/** openAlerts: main asks the window to show the alerts list (a notification was clicked) */
export const EVENT_NAMES = ['status', 'snapshot', 'alert', 'config', 'openAlerts'] as const
export type EventName = (typeof EVENT_NAMES)[number]

const PREFIX = 'tickflow:'
export const commandChannel = (name: CommandName): string => `${PREFIX}cmd:${name}`
export const eventChannel = (name: EventName): string => `${PREFIX}evt:${name}`
