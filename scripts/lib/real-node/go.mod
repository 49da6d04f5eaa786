module notebook-platform.local/real-node-tools

go 1.26.0
