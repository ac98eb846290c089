module github.com/metlog-go/metlog

go 1.24

require google.golang.org/protobuf v1.36.12
