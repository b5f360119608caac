# Models of this programme arrive with its issue.
