import { describe, it } from 'vitest';
import type { RecordFileUpload } from '../../../src/commands/commands.js';
import { FILE_SWEEPER, fileDecider } from '../../../src/commands/files/fileDecider.js';
import type { FileDiscarded, FileUploaded } from '../../../src/events/chatEvents.js';
import { as, spec } from '../../support/deciderSpecification.js';

// The file-<fileId> stream (issue #16): an upload recorded once, by its uploader; a removal by the sweeper only.

const upload = (overrides: Partial<RecordFileUpload> = {}): RecordFileUpload => ({
  type: 'RecordFileUpload',
  fileId: 'f1',
  name: 'cat.png',
  contentType: 'image/png',
  size: 1234,
  sha256: 'ab'.repeat(32),
  width: 640,
  height: 480,
  thumbnail: true,
  ...overrides,
});
const uploaded: FileUploaded = {
  type: 'FileUploaded',
  data: { fileId: 'f1', uploadedBy: 'alice', name: 'cat.png', contentType: 'image/png', size: 1234, sha256: 'ab'.repeat(32), width: 640, height: 480, thumbnail: true },
};
const discarded: FileDiscarded = { type: 'FileDiscarded', data: { fileId: 'f1', discardedBy: 'system:files' } };
const sweeper = { actor: FILE_SWEEPER, limits: as('x').limits };

describe('RecordFileUpload', () => {
  it('records the upload with the actor as its uploader', () => {
    spec(fileDecider).given([]).when(upload(), as('alice')).then([uploaded]);
  });

  it('leaves the thumbnail flag out for a file without one (a PDF)', () => {
    spec(fileDecider)
      .given([])
      .when(upload({ contentType: 'application/pdf', width: null, height: null, thumbnail: false }), as('alice'))
      .then([
        {
          type: 'FileUploaded',
          data: { fileId: 'f1', uploadedBy: 'alice', name: 'cat.png', contentType: 'application/pdf', size: 1234, sha256: 'ab'.repeat(32), width: null, height: null },
        },
      ]);
  });

  it('refuses a file id used twice with IDEMPOTENCY_CONFLICT', () => {
    spec(fileDecider).given([uploaded]).when(upload(), as('alice')).thenThrows('IDEMPOTENCY_CONFLICT');
  });

  it('refuses pixels without both sides, a thumbnail without pixels and an overlong name', () => {
    spec(fileDecider).given([]).when(upload({ height: null }), as('alice')).thenThrows('VALIDATION_FAILED', { field: 'width' });
    spec(fileDecider)
      .given([])
      .when(upload({ width: null, height: null, thumbnail: true }), as('alice'))
      .thenThrows('VALIDATION_FAILED', { field: 'thumbnail' });
    spec(fileDecider).given([]).when(upload({ name: '🐈'.repeat(256) }), as('alice')).thenThrows('VALIDATION_FAILED', { field: 'name' });
  });
});

describe('DiscardFile', () => {
  it('is recorded once, by the sweeper only', () => {
    spec(fileDecider).given([uploaded]).when({ type: 'DiscardFile', fileId: 'f1' }, sweeper).then([discarded]);
    spec(fileDecider).given([uploaded, discarded]).when({ type: 'DiscardFile', fileId: 'f1' }, sweeper).then([]);
    spec(fileDecider).given([uploaded]).when({ type: 'DiscardFile', fileId: 'f1' }, as('alice')).thenThrows('FORBIDDEN');
  });

  it('refuses a file that was never uploaded with NO_FILE', () => {
    spec(fileDecider).given([]).when({ type: 'DiscardFile', fileId: 'f1' }, sweeper).thenThrows('NO_FILE');
  });
});
