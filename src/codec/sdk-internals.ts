/**
 * The one place mcpflow reaches into @temporalio/common's `lib/` (not its public API, so a minor
 * SDK release may move these): the public API has no way to decode a payload or a failure with a
 * client's loaded data converter (its codecs: src/codec/data-converter.ts encrypts both), which
 * reading another workflow's start input or an activity's last failure needs, nor a public
 * Timestamp reader. Pinned SDK 1.x; test/client and test/activities cover each use.
 */
export { decodeArrayFromPayloads, decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
export { optionalTsToMs } from '@temporalio/common/lib/time';
