"""Staff and volunteer records (issue 16): personnel files with a sealed medical section, applicants,
equal-opportunities monitoring kept apart and only counted, requests for a worker's contact details,
and the declarations, induction and training a person needs before they reach client data."""
