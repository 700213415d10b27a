version https://git-lfs.github.com/spec/v1
oid sha256:84a301efbef64a8d1b1ed752d3e58d16741b6a7188d9248b0aafa12905b29739
size 9000000
