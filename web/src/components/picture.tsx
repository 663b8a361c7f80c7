import { useState } from 'react';

/**
 * An avatar or thumbnail from TikTok's CDN, decorative (the name or caption is beside it). When it
 * cannot load (expired CDN link, no network) a plain placeholder shows instead of a broken image.
 */
export function Picture({
  src,
  className,
  width,
  height,
}: {
  src: string | null;
  className: string;
  width: number;
  height: number;
}) {
  const [failed, setFailed] = useState(false);
  if (!src || failed) return <span className={className} aria-hidden="true" />;
  return (
    <img
      className={className}
      src={src}
      alt=""
      width={width}
      height={height}
      loading="lazy"
      onError={() => setFailed(true)}
    />
  );
}
