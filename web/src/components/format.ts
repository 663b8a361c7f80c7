const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export const formatDateTime = (iso: string | null | undefined): string =>
  iso ? dateTime.format(new Date(iso)) : 'never';
export const formatDate = (iso: string): string => dateOnly.format(new Date(iso));
export const formatCount = (n: number): string => n.toLocaleString();
