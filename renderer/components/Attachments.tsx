// The files a message carries: images previewed in the transcript (fetched through the core, which keeps them for
// offline use), other files as a chip with their name, size and a Download button.
import { useEffect } from 'react';
import { type Attachment, isImageType } from '../../common/domain';
import { formatSize } from '../lib/format';
import { attachmentNeeded, attachmentSaveClicked } from '../store/actions';
import { selectPreview } from '../store/attachments';
import { useAppDispatch, useAppSelector } from '../store/hooks';

function ImageAttachment({ sessionId, attachment }: { sessionId: string; attachment: Attachment }) {
  const dispatch = useAppDispatch();
  const preview = useAppSelector((s) => selectPreview(s, attachment.id));
  useEffect(() => {
    if (!preview) dispatch(attachmentNeeded({ sessionId, attachmentId: attachment.id }));
  }, [preview, sessionId, attachment.id, dispatch]);
  const save = () => dispatch(attachmentSaveClicked({ sessionId, attachmentId: attachment.id, name: attachment.name }));
  if (preview?.status === 'ready') {
    return (
      <figure className="attachment image">
        <button type="button" className="image-button" onClick={save} title={`Download ${attachment.name}`}>
          <img src={preview.url} alt={attachment.name} />
        </button>
        <figcaption>
          <bdi>{attachment.name}</bdi> · {formatSize(attachment.size)}
        </figcaption>
      </figure>
    );
  }
  return (
    <figure className="attachment image placeholder">
      <div className="image-slot" role="img" aria-label={`${attachment.name} (image)`}>
        {preview?.status === 'failed' ? (
          <span className="attachment-error">
            {preview.error}{' '}
            <button type="button" className="link" onClick={() => dispatch(attachmentNeeded({ sessionId, attachmentId: attachment.id }))}>
              Try again
            </button>
          </span>
        ) : (
          <span className="attachment-loading">Loading image…</span>
        )}
      </div>
      <figcaption>
        <bdi>{attachment.name}</bdi> · {formatSize(attachment.size)}
      </figcaption>
    </figure>
  );
}

function FileAttachment({ sessionId, attachment }: { sessionId: string; attachment: Attachment }) {
  const dispatch = useAppDispatch();
  return (
    <div className="attachment file">
      <span className="file-icon" aria-hidden="true">
        {attachment.type === 'application/pdf' ? 'PDF' : 'TXT'}
      </span>
      <span className="file-name">
        <bdi>{attachment.name}</bdi>
        <span className="file-size">{formatSize(attachment.size)}</span>
      </span>
      <button
        type="button"
        className="secondary small"
        aria-label={`Download ${attachment.name}`}
        onClick={() => dispatch(attachmentSaveClicked({ sessionId, attachmentId: attachment.id, name: attachment.name }))}
      >
        Download
      </button>
    </div>
  );
}

export function AttachmentList({ sessionId, attachments }: { sessionId: string; attachments: readonly Attachment[] }) {
  return (
    <div className="attachments">
      {attachments.map((a) =>
        isImageType(a.type) ? (
          <ImageAttachment key={a.id} sessionId={sessionId} attachment={a} />
        ) : (
          <FileAttachment key={a.id} sessionId={sessionId} attachment={a} />
        ),
      )}
    </div>
  );
}
