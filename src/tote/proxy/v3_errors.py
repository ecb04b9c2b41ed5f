"""Errors of the REST Proxy v3 resources that kafka-rest raises itself rather than Kafka.

A v3 lookup that finds nothing answers 404 with `error_code` 404 (JAX-RS's
NotFoundException): "HTTP 404 Not Found" when no message is given, else a sentence such
as "Consumer Group g could not be found.". ACL calls on a cluster without an authorizer
carry Kafka's SecurityDisabledException as a 400 / 40002. An unknown topic is Kafka's
UnknownTopicOrPartitionException, 404 / 40403.
"""

from __future__ import annotations

from tote.core.errors import NotFound
from tote.proxy.errors import KafkaBadRequest


class ResourceNotFound(NotFound):
    error_code = 404

    def __init__(self, message: str = "HTTP 404 Not Found") -> None:
        super().__init__(message)


class UnknownTopicOrPartition(NotFound):
    """Kafka's UnknownTopicOrPartitionException, which rest-utils' KafkaExceptionMapper
    answers with 404 / 40403: what kafka-rest says for an unknown topic under
    `/v3/clusters/{c}/topics/{t}` (describeTopics, describeConfigs and deleteTopics fail
    with it). Its default text is Kafka's; kafka-rest words the partition calls' own."""

    error_code = 40403

    def __init__(self, message: str = "This server does not host this topic-partition.") -> None:
        super().__init__(message)


class SecurityDisabled(KafkaBadRequest):
    """Kafka's broker words this two ways: DescribeAcls sets "No Authorizer is configured
    on the broker" on its response; CreateAcls and DeleteAcls raise "No Authorizer is
    configured."."""

    DESCRIBE = "No Authorizer is configured on the broker"
    ALTER = "No Authorizer is configured."
