"""Named errors of the pipeline; each message says what was expected and what was found."""
from __future__ import annotations


class StreamingPipelineError(Exception):
    """Base class of every error this package raises."""


class InvalidPipelineConfigError(StreamingPipelineError):
    """A per-environment config file is missing a setting or holds a value outside its rules."""


class MissingKafkaCredentialsError(StreamingPipelineError):
    """SASL is configured but the environment variables holding the credentials are not set."""


class CheckpointNotFoundError(StreamingPipelineError):
    """A checkpoint folder has no committed batch to report on."""


class CheckpointTopicMismatchError(StreamingPipelineError):
    """A checkpoint's committed offsets no longer exist on the topic (recreated, or retention deleted them)."""


class InvalidInputError(StreamingPipelineError):
    """A DataFrame or argument passed in does not have the shape the function needs."""


class ConcurrentSilverWriterError(StreamingPipelineError):
    """Delta skipped a silver append as already committed that this process never wrote: two writers share an app id."""
