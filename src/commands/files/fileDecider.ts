import { CommandRejectedError } from '../../domain/errors.js';
import type { FileStreamEvent } from '../../events/chatEvents.js';
import type { RecordedEvent } from '../../events/envelope.js';
import type { DiscardFile, FileCommand, RecordFileUpload } from '../commands.js';
import type { Decider, DecisionContext } from '../decider.js';

// The `file-<fileId>` stream (issue #16): one uploaded file, from its upload to its removal if nobody sent it. Its
// bytes are in the file store and never in the log; the edge stored them before it asks for FileUploaded, and the
// sweeper deletes them after FileDiscarded is recorded. Who may read or attach the file is not this stream's
// business: it depends on the rooms the file was sent to (room decider, history view).

/**
 * The sweeper's identity in the removals it records (their actorId): like `system:gateway`, no account (user ids
 * never contain a colon). Only it discards files; it removes uploads that were neither sent nor made an avatar.
 */
export const FILE_SWEEPER: DecisionContext['actor'] = { userId: 'system:files', role: 'user' };

/** The longest file name kept (code points); the edge shortens longer ones. */
export const MAX_FILE_NAME_LENGTH = 255;

export type FileState =
  | { readonly uploaded: false }
  | { readonly uploaded: true; readonly fileId: string; readonly uploadedBy: string; readonly discarded: boolean };

export const initialFileState = (): FileState => ({ uploaded: false });

export function evolveFile(state: FileState, event: RecordedEvent<FileStreamEvent>): FileState {
  switch (event.type) {
    case 'FileUploaded':
      if (state.uploaded) return state;
      return { uploaded: true, fileId: event.data.fileId, uploadedBy: event.data.uploadedBy, discarded: false };
    case 'FileDiscarded':
      return state.uploaded ? { ...state, discarded: true } : state;
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled file event ${JSON.stringify(unreachable)}`);
    }
  }
}

function invalid(message: string, field: string): never {
  throw new CommandRejectedError('VALIDATION_FAILED', message, { field });
}

/**
 * A file id is chosen once, at the edge, for one upload; a retried command is answered from the command-id record
 * before it gets here, so a second upload under the same id is that id being reused (IDEMPOTENCY_CONFLICT).
 */
function recordFileUpload(command: RecordFileUpload, state: FileState, context: DecisionContext): FileStreamEvent[] {
  if (state.uploaded) {
    throw new CommandRejectedError('IDEMPOTENCY_CONFLICT', `file ${command.fileId} is already recorded`, { fileId: command.fileId });
  }
  if ([...command.name].length > MAX_FILE_NAME_LENGTH) invalid(`a file name has at most ${MAX_FILE_NAME_LENGTH} characters`, 'name');
  // Pixels come with images, both or neither, and only images have thumbnails.
  if ((command.width === null) !== (command.height === null)) invalid('width and height come together', 'width');
  if (command.thumbnail && command.width === null) invalid('only images have thumbnails', 'thumbnail');
  const { fileId, name, contentType, size, sha256, width, height } = command;
  return [
    {
      type: 'FileUploaded',
      data: {
        fileId,
        uploadedBy: context.actor.userId,
        name,
        contentType,
        size,
        sha256,
        width,
        height,
        ...(command.thumbnail ? { thumbnail: true } : {}),
      },
    },
  ];
}

function discardFile(command: DiscardFile, state: FileState, context: DecisionContext): FileStreamEvent[] {
  if (context.actor.userId !== FILE_SWEEPER.userId) {
    throw new CommandRejectedError('FORBIDDEN', 'only the file sweeper removes uploads', { fileId: command.fileId });
  }
  if (!state.uploaded) throw new CommandRejectedError('NO_FILE', `no file ${command.fileId}`, { fileId: command.fileId });
  if (state.discarded) return [];
  return [{ type: 'FileDiscarded', data: { fileId: state.fileId, discardedBy: context.actor.userId } }];
}

export function decideFile(command: FileCommand, state: FileState, context: DecisionContext): FileStreamEvent[] {
  switch (command.type) {
    case 'RecordFileUpload':
      return recordFileUpload(command, state, context);
    case 'DiscardFile':
      return discardFile(command, state, context);
    default: {
      const unreachable: never = command;
      throw new Error(`unhandled file command ${JSON.stringify(unreachable)}`);
    }
  }
}

export const fileDecider: Decider<FileCommand, FileState, FileStreamEvent> = {
  initialState: initialFileState,
  evolve: evolveFile,
  decide: decideFile,
};
