"""Lists a store's objects with boto3 — a client independent of tandem's — and prints, per
object, its key, the SHA-256 of the bytes boto3 read and the ETag boto3 saw, tab-separated.
Used by s3_conditional_test.cc (BotoReadsWhatTandemWrote).

    python3 boto3_list.py ENDPOINT_URL BUCKET PREFIX ACCESS_KEY SECRET_KEY
"""
import hashlib
import sys

import boto3


def main():
    endpoint, bucket, prefix, access_key, secret_key = sys.argv[1:6]
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access_key,
                      aws_secret_access_key=secret_key, region_name="us-east-1")
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for entry in page.get("Contents", []):
            reply = s3.get_object(Bucket=bucket, Key=entry["Key"])
            data = reply["Body"].read()
            print(f'{entry["Key"]}\t{hashlib.sha256(data).hexdigest()}\t{reply["ETag"]}')


if __name__ == "__main__":
    main()
