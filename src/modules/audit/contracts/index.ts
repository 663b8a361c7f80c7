/** The audit module exposes no commands or queries; the event log API lives in @shared/event-log. */
export {};
