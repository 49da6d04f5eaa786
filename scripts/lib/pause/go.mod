module notebook-platform/pause

go 1.22
